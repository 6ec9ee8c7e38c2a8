import { and, asc, eq, sql, type SQL } from 'drizzle-orm';
import type { SchoolKind } from '@renraku/shared';
import type { Db, Tx } from '../client';
import { districts, schools } from '../schema';

export type School = typeof schools.$inferSelect;
export type NewSchool = typeof schools.$inferInsert;

/**
 * The board's order of schools, the one order in which every page, export and command lists or
 * groups them: the board's own sort order, then 小学校 before 中学校 (the kind enum's order),
 * then the school code; the id settles the rest. `table` is the schools table's name or alias
 * in the query (`join schools s` → 's'). A query that lists schools orders by this, never by
 * name: names sort by their characters' code points, not as a board reads them.
 */
export function schoolOrder(table = 'schools'): SQL {
  const t = sql.identifier(table);
  return sql`${t}.sort_order, ${t}.kind, ${t}.code, ${t}.id`;
}

/** Many schools in one statement, for the demo seed and bulk set-up. */
export function createSchools(db: Db | Tx, rows: NewSchool[]): Promise<School[]> {
  return db.insert(schools).values(rows).returning();
}

/** A school code is unique within its district only. */
export async function findSchoolByCode(
  db: Db | Tx,
  districtId: number,
  code: string,
): Promise<School | undefined> {
  const [school] = await db
    .select()
    .from(schools)
    .where(and(eq(schools.districtId, districtId), eq(schools.code, code)))
    .limit(1);
  return school;
}

/** The operator's overview: every school with the address parents send their empty mail to. */
export function listSchoolsWithDistrict(db: Db | Tx, districtId?: number) {
  return db
    .select({
      id: schools.id,
      districtCode: districts.code,
      code: schools.code,
      name: schools.name,
      kind: schools.kind,
      registrationAddress: schools.registrationAddress,
    })
    .from(schools)
    .innerJoin(districts, eq(districts.id, schools.districtId))
    .where(districtId === undefined ? undefined : eq(schools.districtId, districtId))
    .orderBy(asc(districts.id), schoolOrder());
}

/** What school administration needs of a school, including its secret auth code. */
export interface RosterSchool {
  id: number;
  districtId: number;
  code: string;
  name: string;
  kind: SchoolKind;
  registrationAddress: string;
  authCode: string;
  authCodeRotatedAt: Date;
}

/** Every roster service starts here: the scope check needs the district, sheets need the rest. */
export async function findRosterSchool(
  db: Db | Tx,
  schoolId: number,
): Promise<RosterSchool | undefined> {
  const [school] = await db
    .select({
      id: schools.id,
      districtId: schools.districtId,
      code: schools.code,
      name: schools.name,
      kind: schools.kind,
      registrationAddress: schools.registrationAddress,
      authCode: schools.authCode,
      authCodeRotatedAt: schools.authCodeRotatedAt,
    })
    .from(schools)
    .where(eq(schools.id, schoolId));
  return school;
}

/** Serialises imports, roll-overs and transfers of one school: each plans from what it locked. */
export async function lockRosterSchool(tx: Tx, schoolId: number): Promise<void> {
  await tx.execute(sql`select id from schools where id = ${schoolId} for update`);
}

/** Rotation: the old code stops working for new registrations at once. */
export async function setSchoolAuthCode(
  db: Db | Tx,
  schoolId: number,
  authCode: string,
): Promise<Date> {
  const [row] = await db
    .update(schools)
    .set({ authCode, authCodeRotatedAt: sql`now()` })
    .where(eq(schools.id, schoolId))
    .returning({ rotatedAt: schools.authCodeRotatedAt });
  if (!row) throw new Error(`school ${schoolId} does not exist`);
  return row.rotatedAt;
}

/** The school a registration link belongs to, with its auth code for the first step. */
export interface ParentSchool {
  id: number;
  districtId: number;
  name: string;
  kind: SchoolKind;
  authCode: string;
}

export async function findParentSchool(
  db: Db | Tx,
  schoolId: number,
): Promise<ParentSchool | undefined> {
  const [school] = await db
    .select({
      id: schools.id,
      districtId: schools.districtId,
      name: schools.name,
      kind: schools.kind,
      authCode: schools.authCode,
    })
    .from(schools)
    .where(eq(schools.id, schoolId));
  return school;
}

/** A sibling may attend any school of the district; the parent picks it from this list. */
export function listDistrictSchools(db: Db | Tx, districtId: number) {
  return db
    .select({ id: schools.id, name: schools.name, kind: schools.kind })
    .from(schools)
    .where(eq(schools.districtId, districtId))
    .orderBy(schoolOrder());
}

/** The school an empty mail was sent to; addresses compare case-insensitively, as mail does. */
export async function findSchoolByRegistrationAddress(db: Db | Tx, address: string) {
  const [school] = await db
    .select({
      id: schools.id,
      code: schools.code,
      name: schools.name,
    })
    .from(schools)
    .where(sql`lower(${schools.registrationAddress}) = ${address.toLowerCase()}`)
    .limit(1);
  return school;
}
