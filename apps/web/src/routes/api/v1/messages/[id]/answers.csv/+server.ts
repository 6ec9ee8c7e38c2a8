import { requireApiStaff } from '$lib/server/auth/guards';
import { answersResponse } from '$lib/server/confirmation/answers';
import type { RequestHandler } from './$types';

/** The answers as CSV for integrations, scoped like the token's owner's call list. */
export const GET: RequestHandler = ({ locals, params, url }) =>
  answersResponse(locals.ctx, requireApiStaff(locals), params.id, {
    format: 'csv',
    locale: locals.locale,
    school: url.searchParams.get('school'),
  });
