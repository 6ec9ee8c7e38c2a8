import { ServiceError } from '@renraku/shared';
import { auditFilterChoices, auditQueryOf, auditTrail, type AuditTrail } from '@renraku/core/audit';
import { requireStaff } from '$lib/server/auth/guards';
import { loaded, refusalText } from '$lib/server/refusal';
import { actorOf, jstText } from '$lib/server/staff-admin';
import type { Locale } from '$lib/i18n';
import type { PageServerLoad } from './$types';

// 操作記録: the board's whole trail, a school admin's school's; teachers get 403 (the service).

/** The page of the trail, or, for a bad filter value, no rows and why (the form stays). */
async function trailOrRefusal(work: Promise<AuditTrail>, locale: Locale) {
  try {
    return { trail: await work, refusal: null };
  } catch (caught) {
    if (!(caught instanceof ServiceError) || caught.kind !== 'invalid') throw caught;
    return {
      trail: { entries: [], nextBefore: null },
      refusal: { field: caught.field ?? null, text: refusalText(caught, locale) },
    };
  }
}

export const load: PageServerLoad = async ({ locals, url }) => {
  const actor = actorOf(requireStaff(locals));
  const choices = await loaded(auditFilterChoices(locals.ctx.db, actor), locals.locale);
  const query = auditQueryOf(url.searchParams);
  const { trail, refusal } = await loaded(
    trailOrRefusal(auditTrail(locals.ctx.db, actor, query), locals.locale),
    locals.locale,
  );
  return {
    ...choices,
    query,
    refusal,
    entries: trail.entries.map((entry) => ({ ...entry, at: jstText(new Date(entry.at)) })),
    nextBefore: trail.nextBefore,
  };
};
