import { createRawSnippet } from 'svelte';
import { render } from 'svelte/server';
import { describe, expect, it } from 'vitest';
import { loadStaffComponent } from './server-render';

const load = () => loadStaffComponent('Notice.svelte');

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
