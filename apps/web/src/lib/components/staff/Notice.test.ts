import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { createRawSnippet, type Component } from 'svelte';
import { compile } from 'svelte/compiler';
import { render } from 'svelte/server';
import { describe, expect, it } from 'vitest';

// The root vitest config has no Svelte plugin, so the component is compiled here, for the
// server, the way SvelteKit renders it for a page without JavaScript.
async function load(): Promise<Component<Record<string, unknown>>> {
  const source = readFileSync(new URL('./Notice.svelte', import.meta.url), 'utf8');
  const { js } = compile(source, { generate: 'server', filename: 'Notice.svelte' });
  const internal = createRequire(import.meta.url).resolve('svelte/internal/server');
  const file = join(mkdtempSync(join(tmpdir(), 'notice-')), 'Notice.js');
  writeFileSync(file, js.code.replaceAll("'svelte/internal/server'", `'${internal}'`));
  return (
    (await import(pathToFileURL(file).href)) as { default: Component<Record<string, unknown>> }
  ).default;
}

describe('Notice', () => {
  it('announces a done politely and a refusal at once, with their classes', async () => {
    const Notice = await load();
    expect(render(Notice, { props: { kind: 'status', text: 'Saved' } }).body).toContain(
      '<p class="notice" role="status">Saved</p>',
    );
    expect(render(Notice, { props: { kind: 'alert', text: 'Wrong password' } }).body).toContain(
      '<p class="alert" role="alert">Wrong password</p>',
    );
  });

  it('shows nothing for a form without that answer', async () => {
    const Notice = await load();
    for (const text of [undefined, null, false, '']) {
      expect(render(Notice, { props: { kind: 'alert', text } }).body).not.toContain('role=');
    }
  });

  it('wraps richer content in a block with the same role', async () => {
    const Notice = await load();
    const children = createRawSnippet(() => ({ render: () => '<p>Token made</p>' }));
    expect(render(Notice, { props: { kind: 'status', children } }).body).toMatch(
      /<div class="notice" role="status"><p>Token made<\/p>/,
    );
  });
});
