import { requireStaff } from '$lib/server/auth/guards';
import { callListResponse } from '$lib/server/call-list/respond';
import type { RequestHandler } from './$types';

/** The open call list's live refresh as failures arrive; its opening was audited already. */
export const GET: RequestHandler = ({ locals, params, url }) =>
  callListResponse(locals.ctx, requireStaff(locals), params.id, {
    audit: false,
    format: 'json',
    school: url.searchParams.get('school'),
  });
