import { error, json } from '@sveltejs/kit';
import type { WebContext } from '#server/context';
import type { StaffPrincipal } from '../auth/staff';
import { idFrom } from '../staff-admin/http';
import { loadAnswers } from '@renraku/core/confirmation';
import type { Locale } from '../../i18n';
import { answersCsv, answersCsvHeaders } from './answers-csv';

// The answers' GET endpoints (the staff download and /api/v1) answer through this function.

/**
 * The answers of the URL's message in the staff member's scope as JSON or as the CSV file,
 * never cached; 404 when not theirs. `school` narrows the board's list, as on the call list.
 */
export async function answersResponse(
  ctx: WebContext,
  staff: StaffPrincipal,
  idParam: string,
  options: { school: string | null } & ({ format: 'json' } | { format: 'csv'; locale: Locale }),
): Promise<Response> {
  const messageId = idFrom(idParam);
  const list =
    messageId &&
    (await loadAnswers(ctx, staff, messageId, {
      school: idFrom(options.school),
    }));
  // Another school's message looks exactly like one that does not exist.
  if (!list) error(404, 'not found');
  if (options.format === 'json') {
    return json(list, { headers: { 'cache-control': 'no-store' } });
  }
  const { locale } = options;
  return new Response(answersCsv(list, locale), {
    headers: answersCsvHeaders(list.message.id, locale),
  });
}
