import { json } from '@sveltejs/kit';
import { requireApiStaff } from '$lib/server/auth/guards';
import type { RequestHandler } from './$types';

/** Lets an integration check its token: who it acts as, and within which scope. */
export const GET: RequestHandler = ({ locals }) => {
  const staff = requireApiStaff(locals);
  return json({
    id: staff.id,
    login: staff.login,
    displayName: staff.displayName,
    role: staff.role,
    scope: staff.scope,
  });
};
