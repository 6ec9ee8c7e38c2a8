import {
  listAuditActors,
  listAuditEvents,
  listDistrictSchools,
  recordAuditEvent,
  type AuditEventFilter,
  type AuditEventRow,
  type Db,
} from '@renraku/db';
import {
  isAuditAction,
  jstDayOf,
  narrowedScopeFilter,
  scopeSchool,
  seesWholeDistrict,
  ServiceError,
  type AuditAction,
} from '@renraku/shared';
import { withoutAddresses } from '../confirmation/answers';
import type { StaffActor } from '../roster';

// The audit trail (/staff/audit): who sent, opened, exported or changed what. The board reads
// its district's whole trail, a school admin the events about their school (audit_events'
// school_id; district-wide events are the board's), teachers none. Reading never changes the
// trail; downloading it is itself an event.

/** Rows per page of the trail. */
export const AUDIT_PAGE_SIZE = 50;
/** The most rows one CSV download holds; a narrower filter gets the rest. */
export const AUDIT_EXPORT_MAX = 10_000;

/** The trail's filters as the GET form sends them; an empty field is no filter. */
export interface AuditQuery {
  /** From this Japan day on, "2026-04-07". */
  from: string;
  /** Up to and including this Japan day. */
  to: string;
  /** A staff member's id: what they did. */
  staff: string;
  action: string;
  /** The board's narrowing to one school. */
  school: string;
  /** The next page: the events before this id. */
  before: string;
}

/** The query's fields from a URL; anything else in the URL is ignored. */
export function auditQueryOf(params: URLSearchParams): AuditQuery {
  const field = (name: keyof AuditQuery) => params.get(name)?.trim() ?? '';
  return {
    from: field('from'),
    to: field('to'),
    staff: field('staff'),
    action: field('action'),
    school: field('school'),
    before: field('before'),
  };
}

/** An event as the page and the CSV show it: names, not ids, and never an address. */
export interface AuditEntry {
  id: number;
  at: string;
  schoolName: string | null;
  actorType: string;
  actorName: string | null;
  action: AuditAction;
  subject: string | null;
  /** The event's particulars as "key=value" pairs, with anything address-like removed. */
  details: string;
}

export interface AuditTrail {
  entries: AuditEntry[];
  /** The `before` of the next page, null on the last. */
  nextBefore: number | null;
}

/** What the filter form offers the reader. */
export interface AuditFilterChoices {
  /** The staff who appear in the reader's trail. */
  actors: { id: number; displayName: string }[];
  /** The board's schools to narrow to; none for a school admin. */
  schools: { id: number; name: string }[];
}

const WHOLE_NUMBER = /^[1-9][0-9]{0,9}$/;

function refusal(field: keyof AuditQuery, key: string): ServiceError {
  return new ServiceError('invalid', key, {}, { field });
}

function idIn(query: AuditQuery, field: 'staff' | 'school' | 'before'): number | undefined {
  const value = query[field];
  if (value === '') return undefined;
  if (!WHOLE_NUMBER.test(value) || Number(value) > 2_147_483_647) {
    throw refusal(field, 'refusal.audit.badId');
  }
  return Number(value);
}

function actionIn(query: AuditQuery): AuditAction | undefined {
  if (query.action === '') return undefined;
  if (!isAuditAction(query.action)) throw refusal('action', 'refusal.audit.unknownAction');
  return query.action;
}

/** The reader's scope; teachers read no trail. */
function readerFilter(actor: StaffActor, school: number | undefined): AuditEventFilter {
  if (actor.scope.role === 'teacher') {
    throw new ServiceError('forbidden', 'refusal.audit.adminOnly');
  }
  const filter = narrowedScopeFilter(actor.scope, school);
  if (!filter) throw new ServiceError('forbidden', 'refusal.audit.otherSchool');
  return { districtId: filter.districtId, schoolId: filter.schoolId };
}

/**
 * The query as the read model's filter within the reader's scope.
 * @throws ServiceError (forbidden: a teacher or another school; invalid: a field's value)
 */
function filterOf(actor: StaffActor, query: AuditQuery): AuditEventFilter {
  const filter = readerFilter(actor, idIn(query, 'school'));
  const from = query.from === '' ? undefined : jstDayOf(query.from);
  if (from === null) throw refusal('from', 'refusal.audit.badDate');
  const to = query.to === '' ? undefined : jstDayOf(query.to);
  if (to === null) throw refusal('to', 'refusal.audit.badDate');
  if (from && to && to.end <= from.start) throw refusal('to', 'refusal.audit.toBeforeFrom');
  const action = actionIn(query);
  return {
    ...filter,
    ...(from ? { from: from.start } : {}),
    ...(to ? { until: to.end } : {}),
    ...(query.staff === '' ? {} : { actorStaffId: idIn(query, 'staff') }),
    ...(action === undefined ? {} : { action }),
  };
}

function detailsOf(detail: Record<string, unknown>): string {
  return withoutAddresses(
    Object.entries(detail)
      .filter(([, value]) => value !== null && value !== undefined)
      .map(
        ([key, value]) =>
          `${key}=${typeof value === 'object' ? JSON.stringify(value) : String(value)}`,
      )
      .join(' '),
  );
}

function entryOf(row: AuditEventRow): AuditEntry {
  return {
    id: row.id,
    at: row.createdAt.toISOString(),
    schoolName: row.schoolName,
    actorType: row.actorType,
    actorName: row.actorName,
    action: row.action,
    subject: row.subjectType === null ? null : `${row.subjectType} ${row.subjectId ?? ''}`.trim(),
    details: detailsOf(row.detail),
  };
}

/** The filter form's choices in the reader's scope. @throws ServiceError (forbidden) */
export async function auditFilterChoices(db: Db, actor: StaffActor): Promise<AuditFilterChoices> {
  const filter = readerFilter(actor, undefined);
  return {
    actors: await listAuditActors(db, filter),
    schools: seesWholeDistrict(actor.scope)
      ? (await listDistrictSchools(db, actor.scope.districtId)).map(({ id, name }) => ({
          id,
          name,
        }))
      : [],
  };
}

/** One page of the trail, newest first. @throws ServiceError (forbidden, invalid) */
export async function auditTrail(
  db: Db,
  actor: StaffActor,
  query: AuditQuery,
): Promise<AuditTrail> {
  const filter = filterOf(actor, query);
  const beforeId = idIn(query, 'before');
  const rows = await listAuditEvents(db, filter, {
    limit: AUDIT_PAGE_SIZE + 1,
    ...(beforeId === undefined ? {} : { beforeId }),
  });
  const page = rows.slice(0, AUDIT_PAGE_SIZE);
  return {
    entries: page.map(entryOf),
    nextBefore: rows.length > AUDIT_PAGE_SIZE ? (page.at(-1)?.id ?? null) : null,
  };
}

/**
 * Every event the filter selects (at most AUDIT_EXPORT_MAX, newest first), for the CSV; the
 * download is audited with its filters, as the call list's is.
 * @throws ServiceError (forbidden, invalid)
 */
export async function exportAuditTrail(
  db: Db,
  actor: StaffActor,
  query: AuditQuery,
): Promise<AuditEntry[]> {
  const filter = filterOf(actor, query);
  const rows = await listAuditEvents(db, filter, { limit: AUDIT_EXPORT_MAX });
  await recordAuditEvent(db, {
    districtId: actor.scope.districtId,
    schoolId: scopeSchool(actor.scope),
    actorType: 'staff',
    actorId: actor.staffUserId,
    action: 'audit.export',
    detail: {
      rows: rows.length,
      ...Object.fromEntries(
        (['from', 'to', 'staff', 'action', 'school'] as const)
          .filter((field) => query[field] !== '')
          .map((field) => [field, query[field]]),
      ),
    },
  });
  return rows.map(entryOf);
}
