import { redirect } from '@sveltejs/kit';
import { clearSessionCookie, sessionToken } from '$lib/server/auth/cookies';
import { STAFF_LOGIN_PATH, requireStaff } from '$lib/server/auth/guards';
import { signOutStaff } from '$lib/server/auth/login';
import type { RequestHandler } from './$types';

/** A plain form post (no JavaScript needed); a full page load afterwards clears every page state. */
export const POST: RequestHandler = async ({ locals, cookies }) => {
  const staff = requireStaff(locals);
  const token = sessionToken(cookies, 'staff');
  if (token) await signOutStaff(locals.ctx, token, staff, new Date());
  clearSessionCookie(cookies, locals.ctx, 'staff');
  redirect(303, STAFF_LOGIN_PATH);
};
