import { render } from 'svelte/server';
import { describe, expect, it } from 'vitest';
import { loadStaffComponent, markup } from './server-render';

describe('RowAction', () => {
  it('posts the item id with one secondary button, without JavaScript too', async () => {
    const RowAction = await loadStaffComponent('RowAction.svelte');
    const body = markup(
      render(RowAction, {
        props: { action: '?/revoke', name: 'tokenId', value: 7, label: 'Revoke' },
      }).body,
    );
    expect(body).toBe(
      '<form method="POST" action="?/revoke"><input type="hidden" name="tokenId" value="7"/>' +
        '<button class="button button-secondary" type="submit">Revoke</button></form>',
    );
  });

  it('takes the class of the page', async () => {
    const RowAction = await loadStaffComponent('RowAction.svelte');
    const body = markup(
      render(RowAction, {
        props: {
          action: '?/disable',
          name: 'staffUserId',
          value: 3,
          label: 'Disable',
          class: 'row-form',
        },
      }).body,
    );
    expect(body).toMatch(/^<form method="POST" action="\?\/disable" class="row-form">/);
  });
});
