import { randomBytes } from 'node:crypto';
import { rowsOf, schema, type Db } from '@renraku/db';
import { createTestDatabase, type TestDatabase } from '@renraku/db/testing';
import type { RosterPhone } from '@renraku/db/schema';
import {
  ServiceError,
  type AddressHealth,
  type SchoolKind,
  type StaffScope,
} from '@renraku/shared';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, expect } from 'vitest';
import { refusalText } from '../../apps/web/src/lib/server/refusal';
import type { StaffActor } from '../../apps/web/src/lib/server/roster';

// Schools, classes, students and registrations inserted directly with drizzle, so that the
// roster tests start from a known state without going through the code under test.

/** The school year the fixtures live in, and a moment in its March (roll-over allowed). */
export const YEAR = 2025;
/** Roll-over tests run "in March" whatever the real date is. */
export const MARCH = new Date('2026-03-20T10:00:00+09:00');

/** The school columns the tests need. */
export interface SchoolFixture {
  id: number;
  districtId: number;
  name: string;
  kind: SchoolKind;
  registrationAddress: string;
  authCode: string;
}

let sequence = 0;

/**
 * The test file's own database, created before its tests and dropped after them. Returns a
 * stand-in that forwards to it, so tests can hold `db` from the start.
 */
export function useTestDatabase(): Db {
  let database: TestDatabase | undefined;
  beforeAll(async () => {
    database = await createTestDatabase();
  });
  afterAll(async () => {
    await database?.drop();
  });
  return new Proxy({} as Db, {
    get(_target, key) {
      const db = database?.handle.db;
      if (!db) throw new Error('the test database is not ready yet');
      const value: unknown = Reflect.get(db, key, db);
      return typeof value === 'function' ? value.bind(db) : value;
    },
  });
}

/** Each test gets its own district, so schools never meet by accident. */
export async function createDistrict(db: Db): Promise<number> {
  sequence += 1;
  const [row] = await db
    .insert(schema.districts)
    .values({ code: `d${sequence}-${randomBytes(3).toString('hex')}`, name: '苫小牧市教育委員会' })
    .returning({ id: schema.districts.id });
  if (!row) throw new Error('no district');
  return row.id;
}

/** An elementary school by default, with auth code ABCDEFGH. */
export async function createSchool(
  db: Db,
  districtId: number,
  options: { kind?: SchoolKind; name?: string } = {},
): Promise<SchoolFixture> {
  sequence += 1;
  const code = `s${sequence}${randomBytes(3).toString('hex')}`;
  const [row] = await db
    .insert(schema.schools)
    .values({
      districtId,
      code,
      name: options.name ?? `若草小学校${sequence}`,
      kind: options.kind ?? 'elementary',
      registrationAddress: `entry-${code}@renraku.example.jp`,
      authCode: 'ABCDEFGH',
    })
    .returning();
  if (!row) throw new Error('no school');
  return row;
}

/** Classes 「1組」…「n組」 for every given grade of one school year; returns them by "grade:name". */
export async function createClasses(
  db: Db,
  school: SchoolFixture,
  grades: readonly number[],
  names: readonly string[] = ['1組', '2組'],
  schoolYear = YEAR,
): Promise<Map<string, number>> {
  const rows = await db
    .insert(schema.classes)
    .values(
      grades.flatMap((grade) =>
        names.map((name, index) => ({
          districtId: school.districtId,
          schoolId: school.id,
          schoolYear,
          grade,
          name,
          sortOrder: index + 1,
        })),
      ),
    )
    .returning();
  return new Map(rows.map((c) => [`${c.grade}:${c.name}`, c.id]));
}

/** A roster student in their own household unless a key joins siblings. */
export async function createStudent(
  db: Db,
  school: SchoolFixture,
  student: {
    classId: number;
    rosterNumber: string;
    name: string;
    kana: string;
    householdKey?: string;
    phones?: RosterPhone[];
  },
): Promise<{ id: number; householdId: number }> {
  const householdKey = student.householdKey ?? `#${student.rosterNumber}`;
  const [household] = await db
    .insert(schema.households)
    .values({
      districtId: school.districtId,
      schoolId: school.id,
      householdKey,
      phones: student.phones ?? [{ label: '電話1', number: '0144-32-0000' }],
    })
    .onConflictDoUpdate({
      target: [schema.households.schoolId, schema.households.householdKey],
      set: { householdKey },
    })
    .returning({ id: schema.households.id });
  if (!household) throw new Error('no household');
  const [row] = await db
    .insert(schema.students)
    .values({
      districtId: school.districtId,
      schoolId: school.id,
      classId: student.classId,
      householdId: household.id,
      rosterNumber: student.rosterNumber,
      name: student.name,
      kana: student.kana,
    })
    .returning({ id: schema.students.id });
  if (!row) throw new Error('no student');
  return { id: row.id, householdId: household.id };
}

/** A parent's registration with addresses of the given health (ciphertext is opaque here). */
export async function createRegistration(
  db: Db,
  school: SchoolFixture,
  registration: {
    classId: number;
    childName: string;
    childKana: string;
    studentId?: number;
    addresses?: AddressHealth[];
  },
): Promise<number> {
  sequence += 1;
  const [row] = await db
    .insert(schema.registrations)
    .values({
      districtId: school.districtId,
      schoolId: school.id,
      classId: registration.classId,
      studentId: registration.studentId ?? null,
      loginId: `parent${sequence}-${randomBytes(3).toString('hex')}`,
      passwordHash: 'not-a-real-hash',
      childName: registration.childName,
      childKana: registration.childKana,
    })
    .returning({ id: schema.registrations.id });
  if (!row) throw new Error('no registration');
  const healths = registration.addresses ?? ['active'];
  if (healths.length > 0) {
    await db.insert(schema.addresses).values(
      healths.map((health, index) => ({
        districtId: school.districtId,
        registrationId: row.id,
        position: index + 1,
        ciphertext: randomBytes(40),
        blindIndex: randomBytes(16).toString('hex'),
        carrierDomain: 'docomo.ne.jp',
        health,
      })),
    );
  }
  return row.id;
}

/** A sent message that targeted these students, so the call-list history refers to them. */
export async function createMessageHistory(
  db: Db,
  school: SchoolFixture,
  targets: readonly { studentId: number; householdId: number; classId: number }[],
): Promise<number> {
  const [message] = await db
    .insert(schema.messages)
    .values({
      districtId: school.districtId,
      schoolId: school.id,
      category: 'emergency_contact',
      subject: '臨時休業',
      body: '本日は臨時休業です。',
      target: { kind: 'schools', schoolIds: [school.id] },
      state: 'done',
    })
    .returning({ id: schema.messages.id });
  if (!message) throw new Error('no message');
  await db
    .insert(schema.messageStudents)
    .values(targets.map((t) => ({ messageId: message.id, schoolId: school.id, ...t })));
  return message.id;
}

/** A teacher on a class, to see roll-over count them for reassignment. */
export async function createTeacher(
  db: Db,
  school: SchoolFixture,
  classId: number,
): Promise<number> {
  sequence += 1;
  const [row] = await db
    .insert(schema.staffUsers)
    .values({
      districtId: school.districtId,
      login: `teacher${sequence}-${randomBytes(3).toString('hex')}`,
      passwordHash: 'not-a-real-hash',
      displayName: '担任',
      role: 'teacher',
      schoolId: school.id,
      classId,
    })
    .returning({ id: schema.staffUsers.id });
  if (!row) throw new Error('no teacher');
  return row.id;
}

/** The scope that every admin action accepts. */
export function schoolAdmin(school: SchoolFixture, staffUserId = 1): StaffActor {
  return {
    staffUserId,
    scope: { role: 'school_admin', districtId: school.districtId, schoolId: school.id },
  };
}

/** Every scope that must be refused a school's admin actions. */
export function outsiders(
  school: SchoolFixture,
  other: SchoolFixture,
  classId: number,
): StaffScope[] {
  return [
    { role: 'teacher', districtId: school.districtId, schoolId: school.id, classId },
    { role: 'school_admin', districtId: other.districtId, schoolId: other.id },
    { role: 'board', districtId: school.districtId },
    // A forged scope: right school id, wrong district.
    { role: 'school_admin', districtId: school.districtId + 1000, schoolId: school.id },
  ];
}

/** Row counts of everything roster work touches, to prove a dry run or a refusal stored nothing. */
export async function rowCounts(db: Db): Promise<Record<string, number>> {
  const result = await db.execute(sql`
    select (select count(*) from students)::int as students,
           (select count(*) from households)::int as households,
           (select count(*) from classes)::int as classes,
           (select count(*) from registrations)::int as registrations,
           (select count(*) from addresses)::int as addresses,
           (select count(*) from audit_events)::int as "auditEvents",
           (select coalesce(max(updated_at), 'epoch')::text from students) as "studentsUpdatedAt",
           (select coalesce(max(updated_at), 'epoch')::text from households) as "householdsUpdatedAt"`);
  const [row] = rowsOf<Record<string, number>>(result);
  if (!row) throw new Error('no counts');
  return row;
}

/** A CSV file as Excel writes it: CRLF line ends, cells quoted only when needed. */
export function csvText(rows: readonly (readonly string[])[]): string {
  const quote = (cell: string) => (/[",\r\n]/.test(cell) ? `"${cell.replace(/"/g, '""')}"` : cell);
  return rows.map((cells) => cells.map(quote).join(',')).join('\r\n') + '\r\n';
}

/** File bytes as a browser uploads them. */
export function utf8(text: string): Uint8Array {
  return new TextEncoder().encode(text);
}

/** The refusal (a ServiceError) a service answered `work` with, as the Japanese page words it. */
export async function refusalOf(work: Promise<unknown>): Promise<string> {
  const caught = await work.then(
    () => undefined,
    (error: unknown) => error,
  );
  expect(caught).toBeInstanceOf(ServiceError);
  return refusalText(caught as ServiceError, 'ja');
}
