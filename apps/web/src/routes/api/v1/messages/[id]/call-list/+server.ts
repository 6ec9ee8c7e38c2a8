import { requireApiStaff } from '$lib/server/auth/guards';
import { callListResponse } from '$lib/server/call-list/respond';
import type { RequestHandler } from './$types';

/** The call list for integrations, scoped like the token's owner; audited as a view. */
export const GET: RequestHandler = ({ locals, params, url }) =>
  callListResponse(locals.ctx, requireApiStaff(locals), params.id, {
    audit: 'view',
    format: 'json',
    school: url.searchParams.get('school'),
  });
