import { error, redirect } from '@sveltejs/kit';
import type { MessageKey } from '$lib/i18n';
import { allowLinkPage, attachAddress, openConfirmLink } from '$lib/server/parents';
import { field, linkGoneIsBadLink } from '$lib/server/parents/pages';
import { refused } from '$lib/server/refusal';
import type { Actions, PageServerLoad } from './$types';

// The link mailed to a further address (the dispatcher's inbound server sends it). It works
// without a session, since it is often opened on the new phone: holding the mail proves the
// address, and the mailbox it answered was shown only to the logged-in parent. The masked
// hints of the registration's addresses let that parent choose one to replace.

async function openLink(locals: App.Locals, token: string, clientAddress: string) {
  if (!(await allowLinkPage(locals.ctx, clientAddress))) error(429, 'busy');
  const link = await openConfirmLink(locals.ctx, token);
  if (!link) error(404, 'link');
  return link;
}

export const load: PageServerLoad = async ({ locals, params, request, getClientAddress }) => {
  // After the confirm action the link is used up; that action already answered.
  if (request.method === 'POST') return { schoolName: '', loginId: '', addresses: [] };
  const link = await openLink(locals, params.token, getClientAddress());
  return {
    schoolName: link.account.schoolName,
    loginId: link.account.loginId,
    addresses: link.addresses,
  };
};

export const actions: Actions = {
  confirm: async ({ locals, params, request, getClientAddress }) => {
    const link = await openLink(locals, params.token, getClientAddress());
    const form = await request.formData();
    const role = field(form, 'role') === 'child' ? 'child' : 'guardian';
    const replace = Number(field(form, 'replace', 20));
    let outcome;
    try {
      outcome = await attachAddress(locals.ctx, {
        registrationId: link.account.id,
        token: link.token,
        role,
        ...(Number.isSafeInteger(replace) && replace > 0 ? { replaceAddressId: replace } : {}),
      });
    } catch (caught) {
      linkGoneIsBadLink(caught);
      return refused(caught, locals.locale, { role });
    }
    const message: MessageKey = `parent.attach.${outcome}`;
    if (locals.parent?.registrationId === link.account.id)
      redirect(303, `/account?done=${outcome}`);
    return { done: message };
  },
};
