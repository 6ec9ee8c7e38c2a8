import { describe, expect, it } from 'vitest';
import { renderStaffComponent } from './server-render';

const draw = (options: { props: Record<string, unknown> }) =>
  renderStaffComponent('RowAction.svelte', options);

describe('RowAction', () => {
  it('posts the item id with one secondary button, without JavaScript too', async () => {
    const body = await draw({
      props: { action: '?/revoke', name: 'tokenId', value: 7, label: 'Revoke' },
    });
    expect(body).toBe(
      '<form method="POST" action="?/revoke"><input type="hidden" name="tokenId" value="7"/>' +
        '<button class="button button-secondary" type="submit">Revoke</button></form>',
    );
  });

  it('takes the class of the page', async () => {
    const body = await draw({
      props: {
        action: '?/disable',
        name: 'staffUserId',
        value: 3,
        label: 'Disable',
        class: 'row-form',
      },
    });
    expect(body).toMatch(/^<form method="POST" action="\?\/disable" class="row-form">/);
  });
});
