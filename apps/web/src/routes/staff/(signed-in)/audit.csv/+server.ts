import { auditQueryOf, exportAuditTrail } from '@renraku/core/audit';
import { requireStaff } from '$lib/server/auth/guards';
import { auditCsv, auditCsvHeaders } from '$lib/server/audit/csv';
import { loaded } from '$lib/server/refusal';
import { actorOf } from '$lib/server/staff-admin';
import type { RequestHandler } from './$types';

/** The trail for Excel, with the page's filters and scope; the download is itself audited. */
export const GET: RequestHandler = async ({ locals, url }) => {
  const staff = requireStaff(locals);
  const entries = await loaded(
    exportAuditTrail(locals.ctx.db, actorOf(staff), auditQueryOf(url.searchParams)),
    locals.locale,
  );
  return new Response(auditCsv(entries, locals.locale), {
    headers: auditCsvHeaders(locals.locale),
  });
};
