import { requireApiStaff } from '$lib/server/auth/guards';
import { callListResponse } from '$lib/server/call-list/respond';
import type { RequestHandler } from './$types';

/** The call list as CSV for integrations, scoped like the token’s owner; audited as an export. */
export const GET: RequestHandler = ({ locals, params, url }) =>
  callListResponse(locals.ctx, requireApiStaff(locals), params.id, {
    audit: 'export',
    format: 'csv',
    locale: locals.locale,
    school: url.searchParams.get('school'),
  });
