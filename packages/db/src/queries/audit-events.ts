import type { AuditAction } from '@renraku/shared';
import { and, asc, desc, eq, gte, lt, sql, type SQL } from 'drizzle-orm';
import type { Db, Tx } from '../client';
import { auditEvents, schools, staffUsers } from '../schema';

export type NewAuditEvent = typeof auditEvents.$inferInsert;

/**
 * Every change an operator or staff member makes leaves a row; callers never put an address in.
 * The school is kept only when it is one of the event's district: a school id from a request
 * (the board narrowing a list to `?school=999999`) must not fail the request it records.
 */
export async function recordAuditEvent(db: Db | Tx, event: NewAuditEvent): Promise<void> {
  const { schoolId, districtId } = event;
  await db.insert(auditEvents).values({
    ...event,
    schoolId:
      schoolId == null || districtId == null
        ? null
        : sql`(select id from schools where id = ${schoolId} and district_id = ${districtId})`,
  });
}

/** Which events a trail shows: a district, narrowed by school, time, staff actor and action. */
export interface AuditEventFilter {
  districtId: number;
  /** Only the events about this school (a school admin's trail, or the board's narrowing). */
  schoolId?: number;
  /** From this instant on (inclusive). */
  from?: Date;
  /** Before this instant (exclusive). */
  until?: Date;
  /** Only what this staff member did. */
  actorStaffId?: number;
  action?: AuditAction;
}

/** An event as the trail shows it, with the school's and the staff actor's names. */
export interface AuditEventRow {
  id: number;
  createdAt: Date;
  schoolId: number | null;
  schoolName: string | null;
  actorType: string;
  actorId: number | null;
  /** The staff actor's display name; null for parents, the operator and unknown logins. */
  actorName: string | null;
  action: AuditAction;
  subjectType: string | null;
  subjectId: string | null;
  detail: Record<string, unknown>;
}

function conditionsOf(filter: AuditEventFilter): SQL[] {
  return [
    eq(auditEvents.districtId, filter.districtId),
    ...(filter.schoolId === undefined ? [] : [eq(auditEvents.schoolId, filter.schoolId)]),
    ...(filter.from === undefined ? [] : [gte(auditEvents.createdAt, filter.from)]),
    ...(filter.until === undefined ? [] : [lt(auditEvents.createdAt, filter.until)]),
    ...(filter.actorStaffId === undefined
      ? []
      : [eq(auditEvents.actorType, 'staff'), eq(auditEvents.actorId, filter.actorStaffId)]),
    ...(filter.action === undefined ? [] : [eq(auditEvents.action, filter.action)]),
  ];
}

/**
 * One page of the trail, newest first (by id: the order the rows were written); `beforeId`
 * continues after a page's last row.
 */
export function listAuditEvents(
  db: Db | Tx,
  filter: AuditEventFilter,
  page: { limit: number; beforeId?: number },
): Promise<AuditEventRow[]> {
  return db
    .select({
      id: auditEvents.id,
      createdAt: auditEvents.createdAt,
      schoolId: auditEvents.schoolId,
      schoolName: schools.name,
      actorType: auditEvents.actorType,
      actorId: auditEvents.actorId,
      actorName: staffUsers.displayName,
      action: auditEvents.action,
      subjectType: auditEvents.subjectType,
      subjectId: auditEvents.subjectId,
      detail: auditEvents.detail,
    })
    .from(auditEvents)
    .leftJoin(schools, eq(schools.id, auditEvents.schoolId))
    .leftJoin(
      staffUsers,
      and(eq(auditEvents.actorType, 'staff'), eq(staffUsers.id, auditEvents.actorId)),
    )
    .where(
      and(
        ...conditionsOf(filter),
        ...(page.beforeId === undefined ? [] : [lt(auditEvents.id, page.beforeId)]),
      ),
    )
    .orderBy(desc(auditEvents.id))
    .limit(page.limit);
}

/** The staff members who appear as actors in the filter's events, by name: the person filter. */
export function listAuditActors(
  db: Db | Tx,
  filter: Pick<AuditEventFilter, 'districtId' | 'schoolId'>,
): Promise<{ id: number; displayName: string }[]> {
  return db
    .selectDistinct({ id: staffUsers.id, displayName: staffUsers.displayName })
    .from(auditEvents)
    .innerJoin(
      staffUsers,
      and(eq(auditEvents.actorType, 'staff'), eq(staffUsers.id, auditEvents.actorId)),
    )
    .where(and(...conditionsOf(filter)))
    .orderBy(asc(staffUsers.displayName), asc(staffUsers.id));
}

/** Whether an event of `action` was recorded since `since` (the nightly retention's ledger). */
export async function auditActionSince(
  db: Db | Tx,
  action: AuditAction,
  since: Date,
): Promise<boolean> {
  const [row] = await db
    .select({ id: auditEvents.id })
    .from(auditEvents)
    .where(and(eq(auditEvents.action, action), gte(auditEvents.createdAt, since)))
    .limit(1);
  return row !== undefined;
}
