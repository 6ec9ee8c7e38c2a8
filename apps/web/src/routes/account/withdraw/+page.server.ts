import { redirect } from '@sveltejs/kit';
import { clearSessionCookie } from '$lib/server/auth/cookies';
import { withdraw } from '$lib/server/parents';
import { requireParent } from '$lib/server/parents/pages';
import type { Actions, PageServerLoad } from './$types';

export const load: PageServerLoad = ({ locals }) => {
  requireParent(locals);
};

export const actions: Actions = {
  // The registration's sessions go with it (cascade); the cookie is cleared too.
  withdraw: async ({ locals, cookies }) => {
    await withdraw(locals.ctx, requireParent(locals));
    clearSessionCookie(cookies, locals.ctx, 'parent');
    redirect(303, '/account/login?done=withdrawn');
  },
};
