import { error, fail, redirect } from '@sveltejs/kit';
import { allowLinkPage, openResetLink, resetPassword } from '$lib/server/parents';
import { errorKey, field } from '$lib/server/parents/pages';
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
    const result = await resetPassword(locals.ctx, link, field(form, 'password', 256));
    if (result.ok) redirect(303, '/account/login?done=reset');
    if ('gone' in result) error(404, 'link');
    return fail(400, { error: errorKey(result.code) });
  },
};
