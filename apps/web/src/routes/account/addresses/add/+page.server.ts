import { loadAddressHints, openAddAddressMailbox } from '$lib/server/parents';
import { requireParent } from '$lib/server/parents/pages';
import type { Actions, PageServerLoad } from './$types';

// Adding (or, after a new phone, replacing) an address starts here: the page shows the
// add-<token>@ mailbox only when asked (a post), so a prefetch or reload opens no mailbox.

export const load: PageServerLoad = async ({ locals, url }) => {
  const addresses = await loadAddressHints(locals.ctx, requireParent(locals));
  return { replace: url.searchParams.get('replace') === '1', full: addresses.length >= 3 };
};

export const actions: Actions = {
  open: async ({ locals }) => {
    const { mailbox, expiresAt } = await openAddAddressMailbox(locals.ctx, requireParent(locals));
    return { mailbox, hours: Math.round((expiresAt.getTime() - Date.now()) / 3_600_000) };
  },
};
