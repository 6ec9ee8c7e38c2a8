import { and, asc, eq, inArray, isNull, sql } from 'drizzle-orm';
import type { TemplateLanguage } from '@renraku/shared';
import type { Db, Tx } from '../client';
import { countAddressesOf } from './addresses';
import { chunksOf } from './chunks';
import { addresses, classes, districts, registrations, schools, students } from '../schema';

export type Registration = typeof registrations.$inferSelect;
export type NewRegistration = typeof registrations.$inferInsert;

/** Registrations in one statement (demo seed); ids come back with the login ID to match them. */
export function createRegistrations(
  db: Db | Tx,
  rows: NewRegistration[],
): Promise<Pick<Registration, 'id' | 'loginId'>[]> {
  return db
    .insert(registrations)
    .values(rows)
    .returning({ id: registrations.id, loginId: registrations.loginId });
}

/** Where a registration sits: what a scope check and a correction need (no login, no address). */
export interface RegistrationPlace {
  id: number;
  districtId: number;
  schoolId: number;
  classId: number;
  studentId: number | null;
}

export async function findRegistrationPlace(
  db: Db | Tx,
  registrationId: number,
): Promise<RegistrationPlace | undefined> {
  const [row] = await db
    .select({
      id: registrations.id,
      districtId: registrations.districtId,
      schoolId: registrations.schoolId,
      classId: registrations.classId,
      studentId: registrations.studentId,
    })
    .from(registrations)
    .where(eq(registrations.id, registrationId));
  return row;
}

/** A registration no roster student matched, as the staff list shows it (never an address). */
export interface UnmatchedRegistration {
  id: number;
  childName: string;
  childKana: string;
  classId: number;
  grade: number;
  className: string;
  createdAt: Date;
}

/** The school's registrations without a roster student, by class and kana. */
export function listUnmatchedRegistrations(
  db: Db | Tx,
  schoolId: number,
): Promise<UnmatchedRegistration[]> {
  return db
    .select({
      id: registrations.id,
      childName: registrations.childName,
      childKana: registrations.childKana,
      classId: registrations.classId,
      grade: classes.grade,
      className: classes.name,
      createdAt: registrations.createdAt,
    })
    .from(registrations)
    .innerJoin(classes, eq(classes.id, registrations.classId))
    .where(and(eq(registrations.schoolId, schoolId), isNull(registrations.studentId)))
    .orderBy(
      asc(classes.grade),
      asc(classes.sortOrder),
      asc(classes.name),
      asc(registrations.childKana),
      asc(registrations.id),
    );
}

/**
 * Puts a registration in a class, linked to a roster student or to none; the child's name and
 * kana are replaced when given (staff linking it adopt the roster's spelling, a parent's
 * correction its own).
 */
export async function placeRegistration(
  db: Db | Tx,
  registrationId: number,
  place: { classId: number; studentId: number | null; childName?: string; childKana?: string },
): Promise<void> {
  await db
    .update(registrations)
    .set({ ...place, updatedAt: sql`now()` })
    .where(eq(registrations.id, registrationId));
}

/** Whether the school has a roster at all (matching means nothing without one). */
export async function schoolHasRoster(db: Db | Tx, schoolId: number): Promise<boolean> {
  const [row] = await db
    .select({ id: students.id })
    .from(students)
    .where(and(eq(students.schoolId, schoolId), eq(students.status, 'enrolled')))
    .limit(1);
  return row !== undefined;
}

/** What matching compares: the class and the name and kana the parent typed. */
export interface RegistrationForMatching {
  id: number;
  classId: number;
  studentId: number | null;
  childName: string;
  childKana: string;
}

/** Matching and roll-over work on all of a school's registrations at once. */
export async function listSchoolRegistrations(
  db: Db | Tx,
  schoolId: number,
): Promise<RegistrationForMatching[]> {
  return db
    .select({
      id: registrations.id,
      classId: registrations.classId,
      studentId: registrations.studentId,
      childName: registrations.childName,
      childKana: registrations.childKana,
    })
    .from(registrations)
    .where(eq(registrations.schoolId, schoolId));
}

/** Sets each registration's roster student and class in one statement per chunk. */
export async function relinkRegistrations(
  db: Db | Tx,
  links: readonly { id: number; studentId: number | null; classId: number }[],
): Promise<void> {
  for (const chunk of chunksOf(links)) {
    const values = sql.join(
      chunk.map((link) => sql`(${link.id}::int, ${link.studentId}::int, ${link.classId}::int)`),
      sql`, `,
    );
    await db.execute(sql`
      update registrations r set student_id = v.student_id, class_id = v.class_id, updated_at = now()
        from (values ${values}) as v(id, student_id, class_id)
       where r.id = v.id`);
  }
}

/** Deletes registrations; their addresses, tokens and sessions go with them (cascade). */
export async function deleteRegistrations(
  db: Db | Tx,
  registrationIds: readonly number[],
): Promise<{ registrations: number; addresses: number }> {
  const addressCount = await countAddressesOf(db, registrationIds);
  let registrationCount = 0;
  for (const chunk of chunksOf(registrationIds)) {
    const gone = await db
      .delete(registrations)
      .where(inArray(registrations.id, chunk))
      .returning({ id: registrations.id });
    registrationCount += gone.length;
  }
  return { registrations: registrationCount, addresses: addressCount };
}

/** Login IDs are unique per district, case-insensitively; the login form knows no district. */
export function findRegistrationsByLoginId(db: Db | Tx, loginId: string, districtId?: number) {
  return db
    .select({
      id: registrations.id,
      districtId: registrations.districtId,
      passwordHash: registrations.passwordHash,
    })
    .from(registrations)
    .where(
      and(
        sql`lower(${registrations.loginId}) = ${loginId.toLowerCase()}`,
        districtId === undefined ? undefined : eq(registrations.districtId, districtId),
      ),
    )
    .limit(5);
}

/** Which of these (lower-case) login IDs are already someone's in the district. */
export async function takenLoginIds(
  db: Db | Tx,
  districtId: number,
  loginIds: readonly string[],
): Promise<Set<string>> {
  if (loginIds.length === 0) return new Set();
  const rows = await db
    .select({ loginId: sql<string>`lower(${registrations.loginId})` })
    .from(registrations)
    .where(
      and(
        eq(registrations.districtId, districtId),
        inArray(sql`lower(${registrations.loginId})`, [...loginIds]),
      ),
    );
  return new Set(rows.map((row) => row.loginId));
}

export type NewParentRegistration = typeof registrations.$inferInsert;

/** The new registration's id, or undefined when its login ID was taken meanwhile. */
export async function insertParentRegistration(
  db: Db | Tx,
  row: NewParentRegistration,
): Promise<number | undefined> {
  const [created] = await db
    .insert(registrations)
    .values(row)
    .onConflictDoNothing()
    .returning({ id: registrations.id });
  return created?.id;
}

/**
 * Registrations of one class that already carry this address (a repeated registration), by
 * any of its blind index's stored forms (blindIndexCandidates: during a key rotation, both).
 */
export function findClassRegistrationsWithAddress(
  db: Db | Tx,
  where: { classId: number; blindIndexes: string[] },
) {
  return db
    .select({
      id: registrations.id,
      loginId: registrations.loginId,
      childKana: registrations.childKana,
    })
    .from(registrations)
    .innerJoin(addresses, eq(addresses.registrationId, registrations.id))
    .where(
      and(
        eq(registrations.classId, where.classId),
        inArray(addresses.blindIndex, where.blindIndexes),
      ),
    );
}

/** The account page's view of a registration: the child, the school and the class. */
export async function findParentAccount(db: Db | Tx, registrationId: number) {
  const [row] = await db
    .select({
      id: registrations.id,
      districtId: registrations.districtId,
      schoolId: registrations.schoolId,
      classId: registrations.classId,
      studentId: registrations.studentId,
      loginId: registrations.loginId,
      childName: registrations.childName,
      childKana: registrations.childKana,
      educationMail: registrations.educationMail,
      language: registrations.language,
      schoolName: schools.name,
      schoolKind: schools.kind,
      districtName: districts.name,
      grade: classes.grade,
      className: classes.name,
    })
    .from(registrations)
    .innerJoin(schools, eq(schools.id, registrations.schoolId))
    .innerJoin(districts, eq(districts.id, registrations.districtId))
    .innerJoin(classes, eq(classes.id, registrations.classId))
    .where(eq(registrations.id, registrationId));
  return row;
}

export type ParentAccount = NonNullable<Awaited<ReturnType<typeof findParentAccount>>>;

/**
 * Serialises changes to one registration's addresses (add, remove, replace), so two
 * confirmations at once cannot both take the third place. Returns the registration's district,
 * or undefined when it no longer exists.
 */
export async function lockRegistration(
  tx: Tx,
  registrationId: number,
): Promise<number | undefined> {
  const [row] = await tx
    .select({ districtId: registrations.districtId })
    .from(registrations)
    .where(eq(registrations.id, registrationId))
    .for('update');
  return row?.districtId;
}

/** The parent's channel setting: 教育情報 by mail or not (emergencies always go by mail). */
export async function setRegistrationEducationMail(
  db: Db | Tx,
  registrationId: number,
  educationMail: boolean,
): Promise<void> {
  await db
    .update(registrations)
    .set({ educationMail, updatedAt: sql`now()` })
    .where(eq(registrations.id, registrationId));
}

/** The language the parent reads template messages in (above the Japanese original). */
export async function setRegistrationLanguage(
  db: Db | Tx,
  registrationId: number,
  language: TemplateLanguage,
): Promise<void> {
  await db
    .update(registrations)
    .set({ language, updatedAt: sql`now()` })
    .where(eq(registrations.id, registrationId));
}

export async function setRegistrationPassword(
  db: Db | Tx,
  registrationId: number,
  passwordHash: string,
): Promise<void> {
  await db
    .update(registrations)
    .set({ passwordHash, updatedAt: sql`now()` })
    .where(eq(registrations.id, registrationId));
}

export async function recordParentLogin(
  db: Db | Tx,
  registrationId: number,
  at: Date,
): Promise<void> {
  await db
    .update(registrations)
    .set({ lastLoginAt: at })
    .where(eq(registrations.id, registrationId));
}
