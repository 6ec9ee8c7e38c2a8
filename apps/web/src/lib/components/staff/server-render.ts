import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Component } from 'svelte';
import { compile } from 'svelte/compiler';
import { render } from 'svelte/server';

// For the tests beside these components: the root vitest config has no Svelte plugin, so a
// component (one without .svelte imports; $app/forms stubbed) is compiled here, for the server, the way SvelteKit
// renders it for a page without JavaScript.
export async function loadStaffComponent(
  file: string,
): Promise<Component<Record<string, unknown>>> {
  const source = readFileSync(new URL(`./${file}`, import.meta.url), 'utf8');
  const { js } = compile(source, { generate: 'server', filename: file });
  const internal = createRequire(import.meta.url).resolve('svelte/internal/server');
  const out = join(
    mkdtempSync(join(tmpdir(), 'staff-component-')),
    file.replace(/\.svelte$/, '.js'),
  );
  // `use:enhance` does not run on the server; its import only has to resolve.
  const enhanceStub = 'data:text/javascript,export const enhance = () => ({});';
  writeFileSync(
    out,
    js.code
      .replaceAll("'svelte/internal/server'", `'${internal}'`)
      .replaceAll("'$app/forms'", `'${enhanceStub}'`),
  );
  return (
    (await import(pathToFileURL(out).href)) as { default: Component<Record<string, unknown>> }
  ).default;
}

// What a reader of the page gets: without the hydration markers, the components' style hashes
// and the whitespace between tags.
export const markup = (body: string): string =>
  body
    .replace(/<!--[^]*?-->/g, '')
    .replace(/ ?svelte-[a-z0-9]+/g, '')
    .replace(/ class=""/g, '')
    .replace(/>\s+</g, '><');

// A component's markup for these props, as a page without JavaScript gets it.
export async function renderStaffComponent(
  file: string,
  options: { props: Record<string, unknown> },
): Promise<string> {
  return markup(render(await loadStaffComponent(file), options).body);
}
