import { schema } from '@renraku/db';
import { and, eq, inArray } from 'drizzle-orm';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  previewRollover,
  previewTransferOut,
  rolloverSchool,
  transferStudentOut,
} from '../../apps/web/src/lib/server/roster';
import {
  createClasses,
  createDistrict,
  createMessageHistory,
  createRegistration,
  createSchool,
  createStudent,
  createTeacher,
  csvText,
  MARCH,
  refusalOf,
  rowCounts,
  schoolAdmin,
  utf8,
  type SchoolFixture,
  useTestDatabase,
} from './fixtures';

const db = useTestDatabase();

async function enrolledWithClass(schoolId: number) {
  return db
    .select({
      rosterNumber: schema.students.rosterNumber,
      status: schema.students.status,
      grade: schema.classes.grade,
      className: schema.classes.name,
      schoolYear: schema.classes.schoolYear,
    })
    .from(schema.students)
    .innerJoin(schema.classes, eq(schema.classes.id, schema.students.classId))
    .where(eq(schema.students.schoolId, schoolId))
    .orderBy(schema.students.rosterNumber);
}

async function registrationsOf(ids: number[]) {
  return db
    .select({
      id: schema.registrations.id,
      studentId: schema.registrations.studentId,
      grade: schema.classes.grade,
      className: schema.classes.name,
      schoolYear: schema.classes.schoolYear,
    })
    .from(schema.registrations)
    .innerJoin(schema.classes, eq(schema.classes.id, schema.registrations.classId))
    .where(inArray(schema.registrations.id, ids));
}

describe('roll-over of a whole elementary school', () => {
  let school: SchoolFixture;
  let classes: Map<string, number>;
  const ids: Record<string, number> = {};
  const students: Record<string, { id: number; householdId: number }> = {};

  beforeAll(async () => {
    school = await createSchool(db, await createDistrict(db));
    classes = await createClasses(db, school, [1, 2, 3, 4, 5, 6]);
    for (const grade of [1, 2, 3, 4, 5, 6]) {
      for (const name of ['1組', '2組']) {
        for (const seat of [1, 2]) {
          const number = `${grade}${name[0]}${seat}`;
          students[number] = await createStudent(db, school, {
            classId: classes.get(`${grade}:${name}`) ?? 0,
            rosterNumber: number,
            name: `児童 ${number}`,
            kana: `ジドウ ${'ア'.repeat(grade)}${'イ'.repeat(seat)}${name[0] === '1' ? 'ウ' : 'エ'}`,
            // 6年1組の1番 and 3年2組の1番 are siblings.
            householdKey: number === '611' || number === '321' ? 'SIB' : undefined,
          });
        }
      }
    }
    const class61 = classes.get('6:1組') ?? 0;
    ids.graduate = await createRegistration(db, school, {
      classId: class61,
      studentId: students['611']?.id,
      childName: '児童 611',
      childKana: 'x',
      addresses: ['active', 'failing'],
    });
    ids.graduateWithHistory = await createRegistration(db, school, {
      classId: class61,
      studentId: students['612']?.id,
      childName: '児童 612',
      childKana: 'x',
    });
    ids.graduateUnmatched = await createRegistration(db, school, {
      classId: classes.get('6:2組') ?? 0,
      childName: '誰か',
      childKana: 'ダレカ',
    });
    ids.moving = await createRegistration(db, school, {
      classId: classes.get('3:2組') ?? 0,
      studentId: students['321']?.id,
      childName: '児童 321',
      childKana: 'x',
    });
    ids.movingUnmatched = await createRegistration(db, school, {
      classId: classes.get('3:2組') ?? 0,
      childName: '名簿にない子',
      childKana: 'メイボニナイコ',
    });
    const s612 = students['612'];
    if (s612)
      await createMessageHistory(db, school, [
        { studentId: s612.id, householdId: s612.householdId, classId: class61 },
      ]);
    await createTeacher(db, school, class61);
  });

  it('previews per grade what will happen and stores nothing', async () => {
    const before = await rowCounts(db);
    const preview = await previewRollover(db, schoolAdmin(school), {
      schoolId: school.id,
      now: MARCH,
    });
    expect(await rowCounts(db)).toEqual(before);
    expect(preview).toMatchObject({
      fromYear: 2025,
      toYear: 2026,
      studentsMoving: 20,
      graduates: 4,
      registrationsDeleted: 3,
      addressesDeleted: 4,
      registrationsMoved: 2,
      unmatchedRegistrationsMoved: 1,
      teachersToReassign: 1,
      errors: [],
      canRollOver: true,
    });
    expect(preview.grades).toEqual([
      { grade: 1, toGrade: 2, students: 4, registrations: 0 },
      { grade: 2, toGrade: 3, students: 4, registrations: 0 },
      { grade: 3, toGrade: 4, students: 4, registrations: 2 },
      { grade: 4, toGrade: 5, students: 4, registrations: 0 },
      { grade: 5, toGrade: 6, students: 4, registrations: 0 },
      { grade: 6, toGrade: null, students: 4, registrations: 3 },
    ]);
    expect(preview.classMoves).toContainEqual({
      from: { grade: 3, name: '2組' },
      to: { grade: 4, name: '2組' },
      students: 2,
    });
    expect(preview.classMoves).toContainEqual({
      from: { grade: 6, name: '1組' },
      to: null,
      students: 2,
    });
    expect(preview.classesToCreate).toHaveLength(12);
    expect(preview.classesToCreate).toContainEqual({ grade: 1, name: '1組' });
  });

  it('moves every grade up, graduates the last and deletes their registrations and addresses', async () => {
    const result = await rolloverSchool(db, schoolAdmin(school), {
      schoolId: school.id,
      now: MARCH,
    });
    expect(result).toEqual({
      fromYear: 2025,
      toYear: 2026,
      classesCreated: 12,
      studentsMoved: 20,
      graduates: 4,
      graduatesKeptForHistory: 1,
      registrationsDeleted: 3,
      addressesDeleted: 4,
      registrationsMoved: 2,
      householdsDeleted: 2,
    });

    const rows = await enrolledWithClass(school.id);
    const enrolled = rows.filter((r) => r.status === 'enrolled');
    expect(enrolled).toHaveLength(20);
    for (const row of enrolled) {
      const [oldGrade, classDigit] = row.rosterNumber;
      expect(row, row.rosterNumber).toMatchObject({
        schoolYear: 2026,
        grade: Number(oldGrade) + 1,
        className: `${classDigit}組`,
      });
    }
    // The graduate a past call list refers to stays, in last year's class; the others are gone.
    expect(rows.filter((r) => r.status !== 'enrolled')).toEqual([
      { rosterNumber: '612', status: 'graduated', grade: 6, className: '1組', schoolYear: 2025 },
    ]);

    const remaining = await registrationsOf(Object.values(ids));
    expect(remaining.map((r) => r.id).sort()).toEqual([ids.moving, ids.movingUnmatched].sort());
    expect(remaining.find((r) => r.id === ids.moving)).toMatchObject({
      studentId: students['321']?.id,
      grade: 4,
      className: '2組',
      schoolYear: 2026,
    });
    expect(remaining.find((r) => r.id === ids.movingUnmatched)).toMatchObject({
      studentId: null,
      grade: 4,
      className: '2組',
      schoolYear: 2026,
    });
    const addresses = await db
      .select()
      .from(schema.addresses)
      .where(
        inArray(schema.addresses.registrationId, [ids.graduate ?? 0, ids.graduateWithHistory ?? 0]),
      );
    expect(addresses).toEqual([]);

    // Siblings' household stays for the younger child; the graduates' own households are gone.
    const households = await db
      .select({ key: schema.households.householdKey })
      .from(schema.households)
      .where(eq(schema.households.schoolId, school.id));
    const keys = households.map((h) => h.key);
    expect(keys).toContain('SIB');
    expect(keys).toContain('#612');
    expect(keys).not.toContain('#621');
    expect(keys).not.toContain('#622');

    const newGradeOne = await db
      .select()
      .from(schema.classes)
      .where(
        and(
          eq(schema.classes.schoolId, school.id),
          eq(schema.classes.schoolYear, 2026),
          eq(schema.classes.grade, 1),
        ),
      );
    expect(newGradeOne.map((c) => c.name).sort()).toEqual(['1組', '2組']);

    const [audit] = await db
      .select()
      .from(schema.auditEvents)
      .where(
        and(
          eq(schema.auditEvents.action, 'roster.rollover'),
          eq(schema.auditEvents.subjectId, String(school.id)),
        ),
      );
    expect(audit?.detail).toMatchObject({ graduates: 4, registrationsDeleted: 3, toYear: 2026 });
  });

  it('refuses a second roll-over in the same year and changes nothing', async () => {
    const before = await rowCounts(db);
    const second = rolloverSchool(db, schoolAdmin(school), { schoolId: school.id, now: MARCH });
    await expect(second).rejects.toMatchObject({ kind: 'conflict' });
    expect(await refusalOf(second)).toMatch(/年度更新は済んでいます/);
    expect(await rowCounts(db)).toEqual(before);
  });
});

describe('roll-over with a class-assignment file', () => {
  let school: SchoolFixture;

  beforeAll(async () => {
    school = await createSchool(db, await createDistrict(db), {
      kind: 'junior_high',
      name: '緑中学校',
    });
    const classes = await createClasses(db, school, [1, 2, 3], ['1組', '2組', '3組']);
    let n = 0;
    for (const [key, classId] of classes) {
      n += 1;
      await createStudent(db, school, {
        classId,
        rosterNumber: `J${n}`,
        name: `生徒 ${key}`,
        kana: 'セイト',
      });
    }
  });

  it('refuses an assignment file with errors and stores nothing', async () => {
    const file = utf8(
      csvText([
        ['学籍番号', '組'],
        ['J1', '3組'],
        ['J1', '2組'],
        ['NOPE', '1組'],
        ['J2', ''],
      ]),
    );
    const input = { schoolId: school.id, classAssignment: file, now: MARCH };
    const preview = await previewRollover(db, schoolAdmin(school), input);
    expect(preview.canRollOver).toBe(false);
    expect(preview.errors).toEqual([
      { row: 3, message: '学籍番号「J1」が重複しています（2 行目）。' },
      { row: 4, message: '学籍番号「NOPE」の在籍児童生徒がいません。' },
      { row: 5, message: '組（クラス）がありません。' },
    ]);
    const before = await rowCounts(db);
    expect(await refusalOf(rolloverSchool(db, schoolAdmin(school), input))).toMatch(
      /クラス割り当てファイルにエラー/,
    );
    expect(await rowCounts(db)).toEqual(before);
    expect(
      await refusalOf(
        previewRollover(db, schoolAdmin(school), {
          ...input,
          classAssignment: utf8('組\r\n1組\r\n'),
        }),
      ),
    ).toMatch(/「学籍番号」と「組」の列が必要/);
  });

  it('puts students into the classes the file names and keeps the class name of the others', async () => {
    // J1–J3 are grade 1 (1組–3組), J4–J6 grade 2, J7–J9 grade 3 (graduating).
    const file = utf8(
      csvText([
        ['学籍番号', '学年', '組'],
        ['J1', '2', 'A組'],
        ['J2', '2年', '2年A組'],
        ['J4', '3', '3年1組'],
        ['J7', '', '1組'],
      ]),
    );
    const input = { schoolId: school.id, classAssignment: file, now: MARCH };
    const preview = await previewRollover(db, schoolAdmin(school), input);
    expect(preview.canRollOver).toBe(true);
    expect(preview.warnings).toEqual([
      '5 行目: 学籍番号「J7」は卒業する学年のため無視します。',
      'クラス割り当てファイルにない 3 人は、今の組と同じ名前の組に進級します。',
    ]);
    await rolloverSchool(db, schoolAdmin(school), input);
    const rows = await enrolledWithClass(school.id);
    const placed = Object.fromEntries(
      rows
        .filter((r) => r.status === 'enrolled')
        .map((r) => [r.rosterNumber, `${r.grade}年${r.className}`]),
    );
    expect(placed).toEqual({
      J1: '2年A組',
      J2: '2年A組',
      J3: '2年3組',
      J4: '3年1組',
      J5: '3年2組',
      J6: '3年3組',
    });
    expect(rows.filter((r) => r.status !== 'enrolled')).toEqual([]);
  });
});

describe('transfer out', () => {
  it('deletes the student, the matched registrations and their addresses', async () => {
    const school = await createSchool(db, await createDistrict(db));
    const classes = await createClasses(db, school, [2]);
    const classId = classes.get('2:1組') ?? 0;
    const leaving = await createStudent(db, school, {
      classId,
      rosterNumber: 'T1',
      name: '転出 する',
      kana: 'テンシュツ スル',
    });
    const registration = await createRegistration(db, school, {
      classId,
      studentId: leaving.id,
      childName: '転出 する',
      childKana: 'テンシュツ スル',
      addresses: ['active', 'active'],
    });
    const staying = await createRegistration(db, school, {
      classId,
      childName: '別の子',
      childKana: 'ベツノコ',
    });
    const admin = schoolAdmin(school);

    const preview = await previewTransferOut(db, admin, {
      schoolId: school.id,
      studentId: leaving.id,
    });
    expect(preview).toEqual({
      studentId: leaving.id,
      rosterNumber: 'T1',
      name: '転出 する',
      registrations: 1,
      addresses: 2,
    });
    const result = await transferStudentOut(db, admin, {
      schoolId: school.id,
      studentId: leaving.id,
    });
    expect(result).toEqual({ registrationsDeleted: 1, addressesDeleted: 2, keptForHistory: false });
    expect(await registrationsOf([registration, staying])).toMatchObject([{ id: staying }]);
    expect(await enrolledWithClass(school.id)).toEqual([]);
    expect(
      await db.select().from(schema.households).where(eq(schema.households.schoolId, school.id)),
    ).toEqual([]);
    await expect(
      transferStudentOut(db, admin, { schoolId: school.id, studentId: leaving.id }),
    ).rejects.toMatchObject({ kind: 'not_found' });
  });

  it('keeps a student a past call list refers to, as transferred, and refuses a second transfer', async () => {
    const school = await createSchool(db, await createDistrict(db));
    const classId = (await createClasses(db, school, [4])).get('4:1組') ?? 0;
    const student = await createStudent(db, school, {
      classId,
      rosterNumber: 'T2',
      name: '履歴 あり',
      kana: 'リレキ アリ',
    });
    await createMessageHistory(db, school, [
      { studentId: student.id, householdId: student.householdId, classId },
    ]);
    const admin = schoolAdmin(school);
    const result = await transferStudentOut(db, admin, {
      schoolId: school.id,
      studentId: student.id,
    });
    expect(result.keptForHistory).toBe(true);
    expect(await enrolledWithClass(school.id)).toMatchObject([
      { rosterNumber: 'T2', status: 'transferred' },
    ]);
    await expect(
      transferStudentOut(db, admin, { schoolId: school.id, studentId: student.id }),
    ).rejects.toMatchObject({ kind: 'conflict' });
    const other = await createSchool(db, school.districtId);
    await expect(
      previewTransferOut(db, schoolAdmin(other), { schoolId: other.id, studentId: student.id }),
    ).rejects.toMatchObject({ kind: 'not_found' });
  });
});
