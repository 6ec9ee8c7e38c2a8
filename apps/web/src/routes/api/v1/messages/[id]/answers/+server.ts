import { requireApiStaff } from '$lib/server/auth/guards';
import { answersResponse } from '$lib/server/confirmation/answers';
import type { RequestHandler } from './$types';

/** The households that answered, scoped like the token's owner's call list; never an address. */
export const GET: RequestHandler = ({ locals, params, url }) =>
  answersResponse(locals.ctx, requireApiStaff(locals), params.id, {
    format: 'json',
    school: url.searchParams.get('school'),
  });
