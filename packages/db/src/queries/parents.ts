import type { AddressRole, SchoolKind, TokenPurpose } from '@renraku/shared';
import { and, asc, eq, inArray, sql } from 'drizzle-orm';
import type { Db, Tx } from '../client';
import { schoolOrder } from './schools';
import {
  addresses,
  classes,
  districts,
  registrations,
  registrationTokens,
  schools,
  sessions,
} from '../schema';

// What the parents' own pages read and write: their registration, its addresses (ciphertext
// only; the web decrypts for the masked hints), their password and their sessions.

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

/** Registrations of one class that already carry this address (a repeated registration). */
export function findClassRegistrationsWithAddress(
  db: Db | Tx,
  where: { classId: number; blindIndex: string },
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
      and(eq(registrations.classId, where.classId), eq(addresses.blindIndex, where.blindIndex)),
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

/** A registration's addresses in order, still encrypted. */
export function listRegistrationAddresses(db: Db | Tx, registrationId: number) {
  return db
    .select({
      id: addresses.id,
      position: addresses.position,
      role: addresses.role,
      ciphertext: addresses.ciphertext,
      blindIndex: addresses.blindIndex,
      carrierDomain: addresses.carrierDomain,
      health: addresses.health,
    })
    .from(addresses)
    .where(eq(addresses.registrationId, registrationId))
    .orderBy(asc(addresses.position));
}

export type RegistrationAddress = Awaited<ReturnType<typeof listRegistrationAddresses>>[number];

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

/** Stores an already-sealed address at the given position. */
export async function insertRegistrationAddress(
  db: Db | Tx,
  row: {
    districtId: number;
    registrationId: number;
    position: number;
    role: AddressRole;
    ciphertext: Buffer;
    blindIndex: string;
    carrierDomain: string;
  },
): Promise<void> {
  await db.insert(addresses).values(row);
}

export async function deleteRegistrationAddress(
  db: Db | Tx,
  registrationId: number,
  addressId: number,
): Promise<boolean> {
  const rows = await db
    .delete(addresses)
    .where(and(eq(addresses.registrationId, registrationId), eq(addresses.id, addressId)))
    .returning({ id: addresses.id });
  return rows.length === 1;
}

/**
 * Gives the addresses positions 1, 2, 3 in the given order. Two steps, because the unique
 * (registration, position) constraint is checked row by row.
 */
export async function setAddressOrder(
  tx: Tx,
  registrationId: number,
  orderedIds: readonly number[],
): Promise<void> {
  await tx
    .update(addresses)
    .set({ position: sql`${addresses.position} + 100` })
    .where(eq(addresses.registrationId, registrationId));
  for (const [index, id] of orderedIds.entries()) {
    await tx
      .update(addresses)
      .set({ position: index + 1 })
      .where(and(eq(addresses.registrationId, registrationId), eq(addresses.id, id)));
  }
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

/** After a password reset every session of the registration ends, a stolen one included. */
export async function deleteParentSessions(db: Db | Tx, registrationId: number): Promise<void> {
  await db.delete(sessions).where(eq(sessions.registrationId, registrationId));
}

/** Once one reset link worked, the others mailed with it must not. */
export async function deleteRegistrationTokensOf(
  db: Db | Tx,
  registrationId: number,
  purpose: TokenPurpose,
): Promise<void> {
  await db
    .delete(registrationTokens)
    .where(
      and(
        eq(registrationTokens.registrationId, registrationId),
        eq(registrationTokens.purpose, purpose),
      ),
    );
}
