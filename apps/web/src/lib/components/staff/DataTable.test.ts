import { createRawSnippet } from 'svelte';
import { describe, expect, it } from 'vitest';
import { renderStaffComponent } from './server-render';

const draw = (options: { props: Record<string, unknown> }) =>
  renderStaffComponent('DataTable.svelte', options);

type Account = { id: number; login: string };
const accounts: Account[] = [
  { id: 1, login: 'sato' },
  { id: 2, login: 'suzuki' },
];
const row = createRawSnippet((account: () => Account) => ({
  render: () => `<tr data-login="${account().login}"><td>${account().login}</td></tr>`,
}));

describe('DataTable', () => {
  it('draws the header texts and one row per item, the row drawn by the page', async () => {
    const body = await draw({
      props: { rows: accounts, key: (a: Account) => a.id, columns: ['Login', ''], row },
    });
    expect(body).toBe(
      '<table><thead><tr><th>Login</th><th></th></tr></thead><tbody>' +
        '<tr data-login="sato"><td>sato</td></tr><tr data-login="suzuki"><td>suzuki</td></tr>' +
        '</tbody></table>',
    );
  });

  it('shows the muted "none yet" text instead of an empty table', async () => {
    const body = await draw({
      props: {
        rows: [],
        key: (_: unknown, i: number) => i,
        columns: ['Login'],
        row,
        empty: 'No accounts yet',
      },
    });
    expect(body).toBe('<p class="muted">No accounts yet</p>');
  });

  it('keeps an empty table when the page gave no empty text', async () => {
    const body = await draw({ props: { rows: [], key: (_: unknown, i: number) => i, row } });
    expect(body).toBe('<table><tbody></tbody></table>');
  });

  it('scrolls a wide table in its own box, takes a class and a richer header', async () => {
    const head = createRawSnippet(() => ({
      render: () => '<th><span class="visually-hidden">Transfer</span></th>',
    }));
    const body = await draw({
      props: {
        rows: accounts.slice(0, 1),
        key: (a: Account) => a.id,
        head,
        row,
        scroll: true,
        class: 'roster',
      },
    });
    expect(body).toBe(
      '<div class="table-scroll"><table class="roster"><thead><tr>' +
        '<th><span class="visually-hidden">Transfer</span></th></tr></thead>' +
        '<tbody><tr data-login="sato"><td>sato</td></tr></tbody></table></div>',
    );
  });

  it('puts a printed list’s column widths and its repeated heading rows in the table', async () => {
    const colgroup = createRawSnippet(() => ({ render: () => '<col class="col-login">' }));
    const headBefore = createRawSnippet(() => ({
      render: () => '<tr class="print-heading"><th colspan="2">Accounts</th></tr>',
    }));
    const body = await draw({
      props: {
        rows: accounts.slice(0, 1),
        key: (a: Account) => a.id,
        columns: ['Login', ''],
        colgroup,
        headBefore,
        row,
      },
    });
    expect(body).toBe(
      '<table><colgroup><col class="col-login"></colgroup><thead>' +
        '<tr class="print-heading"><th colspan="2">Accounts</th></tr>' +
        '<tr><th>Login</th><th></th></tr></thead>' +
        '<tbody><tr data-login="sato"><td>sato</td></tr></tbody></table>',
    );
  });
});
