import { createRawSnippet } from 'svelte';
import { render } from 'svelte/server';
import { describe, expect, it } from 'vitest';
import { loadStaffComponent, markup } from './server-render';

const load = () => loadStaffComponent('StaffField.svelte');
describe('StaffField', () => {
  it('labels a required text input, with what the page adds', async () => {
    const StaffField = await load();
    const body = markup(
      render(StaffField, {
        props: {
          id: 'login',
          label: 'Login ID',
          name: 'login',
          maxlength: 100,
          defaultValue: 'sato',
        },
      }).body,
    );
    expect(body).toBe(
      '<div class="field"><label for="login">Login ID</label>' +
        '<input id="login" type="text" required="" name="login" maxlength="100" value="sato"/></div>',
    );
  });

  it('takes a login id as typed', async () => {
    const StaffField = await load();
    const body = markup(
      render(StaffField, {
        props: {
          id: 'login',
          label: 'Login ID',
          name: 'login',
          kind: 'login',
          autocomplete: 'off',
        },
      }).body,
    );
    expect(body).toContain(
      '<input id="login" type="text" autocapitalize="none" spellcheck="false" required="" name="login" autocomplete="off"/>',
    );
  });

  it('gives every new staff password the same rules', async () => {
    const StaffField = await load();
    const body = markup(
      render(StaffField, {
        props: { id: 'password', label: 'Password', name: 'password', kind: 'new-password' },
      }).body,
    );
    expect(body).toContain(
      '<input id="password" type="password" autocomplete="new-password" minlength="12" maxlength="200" required="" name="password"/>',
    );
  });

  it('asks for the current password for a login', async () => {
    const StaffField = await load();
    const body = markup(
      render(StaffField, {
        props: {
          id: 'password',
          label: 'Password',
          name: 'password',
          kind: 'current-password',
          maxlength: 256,
        },
      }).body,
    );
    expect(body).toContain(
      '<input id="password" type="password" autocomplete="current-password" required="" name="password" maxlength="256"/>',
    );
  });

  it('draws a small label and the input alone inside a table row form', async () => {
    const StaffField = await load();
    const body = markup(
      render(StaffField, {
        props: {
          inline: true,
          id: 'reset-3',
          label: 'New password',
          name: 'password',
          kind: 'new-password',
        },
      }).body,
    );
    expect(body).toBe(
      '<label class="small" for="reset-3">New password</label>' +
        '<input id="reset-3" type="password" autocomplete="new-password" minlength="12" maxlength="200" required="" name="password"/>',
    );
  });

  it('puts a hint under the input', async () => {
    const StaffField = await load();
    const children = createRawSnippet(() => ({
      render: () => '<p class="muted small">a-z, 0-9</p>',
    }));
    const body = markup(
      render(StaffField, { props: { id: 'login', label: 'Login ID', name: 'login', children } })
        .body,
    );
    expect(body).toMatch(/<input id="login"[^>]*\/><p class="muted small">a-z, 0-9<\/p><\/div>$/);
  });
});
