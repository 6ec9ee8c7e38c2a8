import { requireStaff } from '$lib/server/auth/guards';
import { callListResponse } from '$lib/server/call-list/respond';
import type { RequestHandler } from './$types';

/** The call list for Excel; a download is audited as an export (the phone numbers left the screen). */
export const GET: RequestHandler = ({ locals, params, url }) =>
  callListResponse(locals.ctx, requireStaff(locals), params.id, {
    audit: 'export',
    format: 'csv',
    locale: locals.locale,
    school: url.searchParams.get('school'),
  });
