import { error, json } from '@sveltejs/kit';
import type { WebContext } from '#server/context';
import type { StaffPrincipal } from '../auth/staff';
import { idFrom } from '../staff-admin/http';
import { loadCallList, type CallList, type CallListAudit } from '@renraku/core/call-list';
import type { Locale } from '../../i18n';
import { callListCsv, callListCsvHeaders } from './csv';

// The call list's GET endpoints (staff pages and /api/v1) answer through this one function.

/** What a call-list request asks for: `?school=ID` narrows the board's list to one school. */
export interface CallListQuery {
  audit: CallListAudit;
  /** The URL's `school` parameter; anything but an id means every school of the scope. */
  school: string | null;
}

/** The call list of the URL's message in the staff member's scope; 404 when not theirs. */
export async function callListOr404(
  ctx: WebContext,
  staff: StaffPrincipal,
  idParam: string,
  query: CallListQuery,
): Promise<CallList> {
  const messageId = idFrom(idParam);
  const callList =
    messageId &&
    (await loadCallList(ctx, staff, messageId, {
      audit: query.audit,
      school: idFrom(query.school),
    }));
  // Another school's message looks exactly like one that does not exist.
  if (!callList) error(404, 'not found');
  return callList;
}

/** The call list as JSON or as the Excel-friendly CSV file in `locale`, never cached. */
export async function callListResponse(
  ctx: WebContext,
  staff: StaffPrincipal,
  idParam: string,
  options: CallListQuery & ({ format: 'json' } | { format: 'csv'; locale: Locale }),
): Promise<Response> {
  const callList = await callListOr404(ctx, staff, idParam, options);
  if (options.format === 'json') {
    return json(callList, { headers: { 'cache-control': 'no-store' } });
  }
  const { locale } = options;
  return new Response(callListCsv(callList, locale), {
    headers: callListCsvHeaders(callList.message.id, locale),
  });
}
