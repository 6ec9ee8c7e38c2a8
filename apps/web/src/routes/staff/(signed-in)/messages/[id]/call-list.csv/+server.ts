import { requireStaff } from '$lib/server/auth/guards';
import { callListResponse } from '$lib/server/call-list/respond';
import type { RequestHandler } from './$types';

/** The call list for Excel; a download is a view like opening the page, so it is audited. */
export const GET: RequestHandler = ({ locals, params, url }) =>
  callListResponse(locals.ctx, requireStaff(locals), params.id, {
    audit: true,
    format: 'csv',
    locale: locals.locale,
    school: url.searchParams.get('school'),
  });
