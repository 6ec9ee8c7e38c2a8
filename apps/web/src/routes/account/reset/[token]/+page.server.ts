import { error, redirect } from '@sveltejs/kit';
import { allowLinkPage, openResetLink, resetPassword } from '$lib/server/parents';
import { field, linkGoneIsBadLink } from '$lib/server/parents/pages';
import { refused } from '$lib/server/refusal';
import type { Actions, PageServerLoad } from './$types';

async function openLink(locals: App.Locals, token: string, clientAddress: string) {
  if (!(await allowLinkPage(locals.ctx, clientAddress))) error(429, 'busy');
  const link = await openResetLink(locals.ctx, token);
  if (!link) error(404, 'link');
  return link;
}

export const load: PageServerLoad = async ({ locals, params, getClientAddress }) => {
  const link = await openLink(locals, params.token, getClientAddress());
  return { loginId: link.account.loginId };
};

export const actions: Actions = {
  reset: async ({ locals, params, request, getClientAddress }) => {
    const link = await openLink(locals, params.token, getClientAddress());
    const form = await request.formData();
    try {
      await resetPassword(locals.ctx, link, field(form, 'password', 256));
    } catch (caught) {
      linkGoneIsBadLink(caught);
      return refused(caught, locals.locale);
    }
    redirect(303, '/account/login?done=reset');
  },
};
