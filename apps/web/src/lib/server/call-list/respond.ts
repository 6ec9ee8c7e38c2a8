import { error, json } from '@sveltejs/kit';
import type { WebContext } from '../../../../server/context';
import type { StaffPrincipal } from '../auth/staff';
import { idFrom } from '../staff-admin/http';
import { callListCsv, callListCsvHeaders, loadCallList, type CallList } from '.';

// The call list's GET endpoints (staff pages and /api/v1) answer through this one function.

/** The call list of the URL's message in the staff member's scope; 404 when not theirs. */
export async function callListOr404(
  ctx: WebContext,
  staff: StaffPrincipal,
  idParam: string,
  options: { audit: boolean },
): Promise<CallList> {
  const messageId = idFrom(idParam);
  const callList = messageId && (await loadCallList(ctx, staff, messageId, options));
  // Another school's message looks exactly like one that does not exist.
  if (!callList) error(404, 'not found');
  return callList;
}

/** The call list as JSON or as the Excel-friendly CSV file, never cached. */
export async function callListResponse(
  ctx: WebContext,
  staff: StaffPrincipal,
  idParam: string,
  options: { audit: boolean; format: 'json' | 'csv' },
): Promise<Response> {
  const callList = await callListOr404(ctx, staff, idParam, options);
  if (options.format === 'json') {
    return json(callList, { headers: { 'cache-control': 'no-store' } });
  }
  return new Response(callListCsv(callList), { headers: callListCsvHeaders(callList.message.id) });
}
