import { requireStaff } from '$lib/server/auth/guards';
import { answersResponse } from '$lib/server/confirmation/answers';
import type { RequestHandler } from './$types';

/** The families' answers for Excel, scoped like the staff member's call list. */
export const GET: RequestHandler = ({ locals, params, url }) =>
  answersResponse(locals.ctx, requireStaff(locals), params.id, {
    format: 'csv',
    locale: locals.locale,
    school: url.searchParams.get('school'),
  });
