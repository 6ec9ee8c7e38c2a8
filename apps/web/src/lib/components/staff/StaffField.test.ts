import { createRawSnippet } from 'svelte';
import { describe, expect, it } from 'vitest';
import { renderStaffComponent } from './server-render';

const draw = (options: { props: Record<string, unknown> }) =>
  renderStaffComponent('StaffField.svelte', options);

describe('StaffField', () => {
  it('labels a required text input, with what the page adds', async () => {
    const body = await draw({
      props: {
        id: 'login',
        label: 'Login ID',
        name: 'login',
        maxlength: 100,
        defaultValue: 'sato',
      },
    });
    expect(body).toBe(
      '<div class="field"><label for="login">Login ID</label>' +
        '<input id="login" type="text" required="" name="login" maxlength="100" value="sato"/></div>',
    );
  });

  it('takes a login id as typed', async () => {
    const body = await draw({
      props: {
        id: 'login',
        label: 'Login ID',
        name: 'login',
        kind: 'login',
        autocomplete: 'off',
      },
    });
    expect(body).toContain(
      '<input id="login" type="text" autocapitalize="none" spellcheck="false" required="" name="login" autocomplete="off"/>',
    );
  });

  it('gives every new staff password the same rules', async () => {
    const body = await draw({
      props: { id: 'password', label: 'Password', name: 'password', kind: 'new-password' },
    });
    expect(body).toContain(
      '<input id="password" type="password" autocomplete="new-password" minlength="12" maxlength="200" required="" name="password"/>',
    );
  });

  it('asks for the current password for a login', async () => {
    const body = await draw({
      props: {
        id: 'password',
        label: 'Password',
        name: 'password',
        kind: 'current-password',
        maxlength: 256,
      },
    });
    expect(body).toContain(
      '<input id="password" type="password" autocomplete="current-password" required="" name="password" maxlength="256"/>',
    );
  });

  it('draws a small label and the input alone inside a table row form', async () => {
    const body = await draw({
      props: {
        inline: true,
        id: 'reset-3',
        label: 'New password',
        name: 'password',
        kind: 'new-password',
      },
    });
    expect(body).toBe(
      '<label class="small" for="reset-3">New password</label>' +
        '<input id="reset-3" type="password" autocomplete="new-password" minlength="12" maxlength="200" required="" name="password"/>',
    );
  });

  it('puts a hint under the input', async () => {
    const children = createRawSnippet(() => ({
      render: () => '<p class="muted small">a-z, 0-9</p>',
    }));
    const body = await draw({ props: { id: 'login', label: 'Login ID', name: 'login', children } });
    expect(body).toMatch(/<input id="login"[^>]*\/><p class="muted small">a-z, 0-9<\/p><\/div>$/);
  });
});
