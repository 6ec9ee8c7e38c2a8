import {
  checkKana,
  checkPhone,
  normalizeKana,
  normalizeName,
  SEED_TEMPLATES,
} from '@renraku/shared';
import { blindIndex, decryptAddress, deriveKeys } from '@renraku/shared/crypto';
import { verifyPassword } from '@renraku/shared/password';
import { asc, count, eq, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rowsOf, type Db } from '../client';
import { createDistrict } from '../queries/districts';
import * as schema from '../schema';
import { createTestDatabase, type TestDatabase } from '../testing';
import {
  DEMO_DISTRICT,
  DEMO_LOGINS,
  DEMO_PARENT_LOGIN,
  DEMO_PASSWORD,
  seedDemo,
  type SeedDemoResult,
} from './demo';
import { planDemoDistrict, SPECIAL_CLASS_NAME } from './roster';

const keys = deriveKeys('demo-seed-test-secret-key-0123456789abcdef');
/** June 2025: the classes belong to school year 2025. */
const now = new Date('2025-06-01T00:00:00Z');
const CARRIERS = [
  'docomo.ne.jp',
  'ezweb.ne.jp',
  'softbank.ne.jp',
  'i.softbank.jp',
  'icloud.com',
  'gmail.com',
];

/** Map.groupBy arrived after Node 20, the project's floor. */
function groupBy<T, K>(items: readonly T[], keyOf: (item: T) => K): Map<K, T[]> {
  const groups = new Map<K, T[]>();
  for (const item of items) {
    const key = keyOf(item);
    groups.set(key, [...(groups.get(key) ?? []), item]);
  }
  return groups;
}

const publicTables = async (db: Db) =>
  rowsOf<{ name: string }>(
    await db.execute(
      sql`select table_name::text as name from information_schema.tables where table_schema = 'public' order by 1`,
    ),
  ).map((row) => row.name);

/** Row count of every table, to prove that a second seed writes nothing. */
async function rowCounts(db: Db): Promise<Record<string, number>> {
  const counts: Record<string, number> = {};
  for (const table of await publicTables(db)) {
    const [row] = rowsOf<{ n: string }>(
      await db.execute(sql.raw(`select count(*)::text as n from "${table}"`)),
    );
    counts[table] = Number(row?.n);
  }
  return counts;
}

describe('seedDemo', () => {
  let database: TestDatabase;
  let db: Db;
  let first: SeedDemoResult;

  beforeAll(async () => {
    database = await createTestDatabase();
    db = database.handle.db;
    first = await seedDemo(db, { keys, mailDomain: 'renraku.test', now });
  });

  afterAll(async () => {
    await database?.drop();
  });

  it('creates the board and five schools with registration addresses and auth codes', async () => {
    expect(first.seeded).toBe(true);
    const [district] = await db.select().from(schema.districts);
    expect(district).toMatchObject(DEMO_DISTRICT);
    const schools = await db.select().from(schema.schools).orderBy(asc(schema.schools.sortOrder));
    expect(schools.map((s) => s.kind)).toEqual([
      'elementary',
      'elementary',
      'elementary',
      'junior_high',
      'junior_high',
    ]);
    for (const school of schools) {
      expect(school.code).toMatch(/^[a-z0-9]+$/);
      expect(school.name).toMatch(school.kind === 'elementary' ? /小学校$/ : /中学校$/);
      expect(school.registrationAddress).toBe(`reg-${school.code}@renraku.test`);
      expect(school.authCode).toMatch(/^[A-HJ-NP-Z2-9]{8}$/);
    }
  });

  it('gives every grade 2–3 classes 「n組」 and a ひまわり学級, in school year 2025', async () => {
    const classes = await db
      .select({
        kind: schema.schools.kind,
        schoolId: schema.classes.schoolId,
        schoolYear: schema.classes.schoolYear,
        grade: schema.classes.grade,
        name: schema.classes.name,
      })
      .from(schema.classes)
      .innerJoin(schema.schools, eq(schema.schools.id, schema.classes.schoolId));
    const bySchoolGrade = groupBy(classes, (c) => `${c.schoolId}:${c.grade}`);
    for (const group of bySchoolGrade.values()) {
      const names = group.map((c) => c.name);
      const regular = names.filter((n) => n !== SPECIAL_CLASS_NAME);
      expect(regular.length).toBeGreaterThanOrEqual(2);
      expect(regular.length).toBeLessThanOrEqual(3);
      expect(regular.sort()).toEqual(regular.map((_, i) => `${i + 1}組`));
      expect(names.filter((n) => n === SPECIAL_CLASS_NAME)).toHaveLength(1);
    }
    expect(classes.every((c) => c.schoolYear === 2025)).toBe(true);
    const grades = (kind: string) =>
      [...new Set(classes.filter((c) => c.kind === kind).map((c) => c.grade))].sort();
    expect(grades('elementary')).toEqual([1, 2, 3, 4, 5, 6]);
    expect(grades('junior_high')).toEqual([1, 2, 3]);
  });

  it('enrols about 1,500 pupils with plausible names, kana and household phones', async () => {
    const students = await db.select().from(schema.students);
    expect(students.length).toBeGreaterThanOrEqual(1400);
    expect(students.length).toBeLessThanOrEqual(1600);
    for (const student of students) {
      expect(student.status).toBe('enrolled');
      expect(student.name).toMatch(/^\S+ \S+$/);
      expect(student.name).toBe(normalizeName(student.name));
      expect(checkKana(student.kana)).toEqual({ ok: true, value: student.kana });
      expect(student.kana).toBe(normalizeKana(student.kana));
    }
    const households = await db.select().from(schema.households);
    for (const household of households) {
      expect(household.phones.length).toBeGreaterThanOrEqual(1);
      expect(household.phones.length).toBeLessThanOrEqual(2);
      for (const phone of household.phones) {
        expect(['母', '父', '自宅']).toContain(phone.label);
        expect(phone.number).toMatch(/^(0144-\d{2}-\d{4}|0[789]0-\d{4}-\d{4})$/);
        expect(checkPhone(phone.number)).toMatchObject({ ok: true, value: phone.number });
      }
    }
  });

  it('puts siblings in one household, some of them across grades of one school', async () => {
    const rows = await db
      .select({ householdId: schema.students.householdId, grade: schema.classes.grade })
      .from(schema.students)
      .innerJoin(schema.classes, eq(schema.classes.id, schema.students.classId));
    const households = groupBy(rows, (r) => r.householdId);
    const withSiblings = [...households.values()].filter((members) => members.length > 1);
    expect(withSiblings.length).toBeGreaterThan(100);
    for (const members of withSiblings) {
      expect(new Set(members.map((m) => m.grade)).size).toBe(members.length);
    }
  });

  it('registers about 70 % of the pupils, each registration matched to its pupil', async () => {
    const registrations = await db
      .select({
        registration: schema.registrations,
        student: schema.students,
      })
      .from(schema.registrations)
      .leftJoin(schema.students, eq(schema.students.id, schema.registrations.studentId));
    const [pupils] = await db.select({ n: count() }).from(schema.students);
    const share = registrations.length / pupils!.n;
    expect(share).toBeGreaterThan(0.65);
    expect(share).toBeLessThan(0.75);
    const loginIds = new Set<string>();
    for (const { registration, student } of registrations) {
      expect(student).not.toBeNull();
      expect(registration.classId).toBe(student?.classId);
      expect(registration.schoolId).toBe(student?.schoolId);
      expect(registration.childName).toBe(student?.name);
      expect(registration.childKana).toBe(student?.kana);
      expect(registration.loginId).toMatch(/^[a-z0-9]+$/);
      loginIds.add(registration.loginId);
    }
    expect(loginIds.size).toBe(registrations.length);
    expect(new Set(registrations.map((r) => r.registration.passwordHash)).size).toBe(1);
  });

  it('stores 1–3 addresses per registration, guardians first, encrypted and indexed', async () => {
    const addresses = await db
      .select()
      .from(schema.addresses)
      .orderBy(asc(schema.addresses.registrationId), asc(schema.addresses.position));
    const [registrations] = await db.select({ n: count() }).from(schema.registrations);
    const byRegistration = groupBy(addresses, (a) => a.registrationId);
    expect(byRegistration.size).toBe(registrations!.n);
    for (const list of byRegistration.values()) {
      expect(list.length).toBeGreaterThanOrEqual(1);
      expect(list.length).toBeLessThanOrEqual(3);
      expect(list.map((a) => a.position)).toEqual(list.map((_, i) => i + 1));
      expect(list[0]?.role).toBe('guardian');
      const firstChild = list.findIndex((a) => a.role === 'child');
      if (firstChild >= 0) expect(firstChild).toBe(list.length - 1);
    }
    const domains = new Set<string>();
    for (const address of addresses) {
      const plain = decryptAddress(keys, address.ciphertext);
      expect(plain).toMatch(/^demo-(hogosha|kodomo)-\d{4}@[a-z.]+$/);
      const domain = plain.slice(plain.indexOf('@') + 1);
      expect(CARRIERS).toContain(domain);
      expect(address.carrierDomain).toBe(domain);
      expect(address.blindIndex).toBe(blindIndex(keys, plain));
      domains.add(domain);
    }
    expect([...domains].sort()).toEqual([...CARRIERS].sort());
    expect(addresses.some((a) => a.role === 'child')).toBe(true);
    // Siblings' registrations share their guardians' addresses.
    const sharedIndexes = groupBy(addresses, (a) => a.blindIndex);
    expect([...sharedIndexes.values()].filter((list) => list.length > 1).length).toBeGreaterThan(
      50,
    );
  });

  it('keeps no address in clear in any table', async () => {
    const plaintexts = (await db.select().from(schema.addresses)).map((a) =>
      decryptAddress(keys, a.ciphertext),
    );
    const localParts = /demo-(hogosha|kodomo)-\d{4}/;
    for (const table of await publicTables(db)) {
      const rows = rowsOf<{ row: string }>(
        await db.execute(sql.raw(`select row_to_json(t)::text as row from "${table}" t`)),
      );
      for (const { row } of rows) {
        expect(row, `a row of ${table}`).not.toMatch(localParts);
      }
      const text = rows.map((r) => r.row).join('\n');
      for (const plain of plaintexts.slice(0, 50)) expect(text).not.toContain(plain);
    }
  });

  it('creates every demo staff login with its scope, and the demo parent', async () => {
    const staff = await db
      .select({
        user: schema.staffUsers,
        schoolId: schema.schools.id,
        classSchoolId: schema.classes.schoolId,
      })
      .from(schema.staffUsers)
      .leftJoin(schema.schools, eq(schema.schools.id, schema.staffUsers.schoolId))
      .leftJoin(schema.classes, eq(schema.classes.id, schema.staffUsers.classId));
    const staffLogins = DEMO_LOGINS.filter((l) => l.role !== 'parent');
    expect(staff.map((s) => s.user.login).sort()).toEqual(staffLogins.map((l) => l.login).sort());
    const roles = new Set(staff.map((s) => s.user.role));
    expect([...roles].sort()).toEqual(['board', 'school_admin', 'teacher']);
    for (const { user, schoolId, classSchoolId } of staff) {
      expect(DEMO_LOGINS.find((l) => l.login === user.login)?.role).toBe(user.role);
      if (user.role === 'board') expect([user.schoolId, user.classId]).toEqual([null, null]);
      if (user.role === 'school_admin') {
        expect(schoolId).not.toBeNull();
        expect(user.classId).toBeNull();
      }
      if (user.role === 'teacher') expect(classSchoolId).toBe(user.schoolId);
    }
    const teacherClasses = staff
      .filter((s) => s.user.role === 'teacher')
      .map((s) => s.user.classId);
    expect(new Set(teacherClasses).size).toBe(teacherClasses.length);

    const [parent] = await db
      .select()
      .from(schema.registrations)
      .where(eq(schema.registrations.loginId, DEMO_PARENT_LOGIN));
    expect(DEMO_LOGINS.some((l) => l.role === 'parent' && l.login === DEMO_PARENT_LOGIN)).toBe(
      true,
    );
    expect(await verifyPassword(parent!.passwordHash, DEMO_PASSWORD)).toBe(true);
    expect(await verifyPassword(staff[0]!.user.passwordHash, DEMO_PASSWORD)).toBe(true);
    expect(await verifyPassword(staff[0]!.user.passwordHash, 'renraku-wrong')).toBe(false);
  });

  it('records the seed in the audit log', async () => {
    const events = await db
      .select()
      .from(schema.auditEvents)
      .where(eq(schema.auditEvents.action, 'seed.demo'));
    expect(events).toHaveLength(1);
    expect(events[0]?.detail).toMatchObject({ schoolYear: 2025, schools: 5 });
  });

  it('installs the seed catalogue of templates in the district', async () => {
    const templates = await db.select().from(schema.messageTemplates);
    expect(templates.map((row) => row.key).sort()).toEqual(
      SEED_TEMPLATES.map((seed) => seed.key).sort(),
    );
    expect(templates.every((row) => row.schoolId === null)).toBe(true);
  });

  it('changes nothing when run again', async () => {
    const before = await rowCounts(db);
    expect(before.students).toBeGreaterThan(0);
    const again = await seedDemo(db, { keys, mailDomain: 'renraku.test', now });
    expect(again).toEqual({ seeded: false, reason: 'already-seeded' });
    expect(await rowCounts(db)).toEqual(before);
  });

  it('plans the same district every time', () => {
    const schools = [
      { code: 'a', name: 'A小学校', kind: 'elementary', classesPerGrade: 2 },
    ] as const;
    const plan = () => planDemoDistrict(schools, 2025, DEMO_PARENT_LOGIN);
    expect(plan()).toEqual(plan());
  });
});

describe('seedDemo beside real data', () => {
  let database: TestDatabase;

  beforeAll(async () => {
    database = await createTestDatabase();
  });

  afterAll(async () => {
    await database?.drop();
  });

  it('refuses to add the demo to a database that holds another district', async () => {
    const db = database.handle.db;
    await createDistrict(db, { code: 'tomakomai', name: '本物市教育委員会' });
    const before = await rowCounts(db);
    expect(await seedDemo(db, { keys, mailDomain: 'renraku.test', now })).toEqual({
      seeded: false,
      reason: 'not-empty',
    });
    expect(await rowCounts(db)).toEqual(before);
  });
});
