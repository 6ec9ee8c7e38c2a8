import { schema } from '@renraku/db';
import { ServiceError, type StaffScope } from '@renraku/shared';
import { and, eq } from 'drizzle-orm';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  assertSchoolAdminScope,
  AUTH_CODE_ALPHABET,
  generateAuthCode,
  getAuthCodes,
  importRoster,
  listRoster,
  normalizeAuthCodeInput,
  previewRollover,
  previewRosterImport,
  previewTransferOut,
  registrationSheetPdf,
  registrationSheets,
  registrationStatistics,
  rolloverSchool,
  rotateClassAuthCode,
  rotateSchoolAuthCode,
  transferStudentOut,
  type StaffActor,
} from '../../apps/web/src/lib/server/roster';
import {
  createClasses,
  createDistrict,
  createRegistration,
  createSchool,
  createStudent,
  csvText,
  MARCH,
  outsiders,
  rowCounts,
  schoolAdmin,
  utf8,
  type SchoolFixture,
  useTestDatabase,
} from './fixtures';

const db = useTestDatabase();
let school: SchoolFixture;
let other: SchoolFixture;
let classes: Map<string, number>;
let studentId: number;

beforeAll(async () => {
  const districtId = await createDistrict(db);
  school = await createSchool(db, districtId, { name: '若草小学校' });
  other = await createSchool(db, districtId, { name: '緑小学校' });
  classes = await createClasses(db, school, [1, 2]);
  const otherClasses = await createClasses(db, other, [1]);
  const class11 = classes.get('1:1組') ?? 0;
  const class12 = classes.get('1:2組') ?? 0;
  const class21 = classes.get('2:1組') ?? 0;

  // 1年1組: three households, one registered, one only with a dead address, one not at all.
  const registered = await createStudent(db, school, {
    classId: class11,
    rosterNumber: 'A1',
    name: '登録 済',
    kana: 'トウロク ズミ',
    householdKey: 'H1',
  });
  studentId = registered.id;
  await createRegistration(db, school, {
    classId: class11,
    studentId: registered.id,
    childName: '登録 済',
    childKana: 'トウロク ズミ',
    addresses: ['dead', 'failing'],
  });
  const dead = await createStudent(db, school, {
    classId: class11,
    rosterNumber: 'A2',
    name: '不達 子',
    kana: 'フタツ コ',
    householdKey: 'H2',
  });
  await createRegistration(db, school, {
    classId: class11,
    studentId: dead.id,
    childName: '不達 子',
    childKana: 'フタツ コ',
    addresses: ['dead'],
  });
  await createStudent(db, school, {
    classId: class11,
    rosterNumber: 'A3',
    name: '未登録 子',
    kana: 'ミトウロク コ',
    householdKey: 'H3',
  });
  // 1年2組: the sibling of H1, not registered themselves; and an unmatched registration.
  await createStudent(db, school, {
    classId: class12,
    rosterNumber: 'A4',
    name: '登録 弟',
    kana: 'トウロク オトウト',
    householdKey: 'H1',
  });
  await createRegistration(db, school, {
    classId: class12,
    childName: '名簿 にない',
    childKana: 'メイボ ニナイ',
  });
  // 2年1組: one registered household.
  const second = await createStudent(db, school, {
    classId: class21,
    rosterNumber: 'B1',
    name: '二年 子',
    kana: 'ニネン コ',
    householdKey: 'H5',
  });
  await createRegistration(db, school, {
    classId: class21,
    studentId: second.id,
    childName: '二年 子',
    childKana: 'ニネン コ',
  });
  // The other school: one household, registered.
  const otherClass = otherClasses.get('1:1組') ?? 0;
  const otherStudent = await createStudent(db, other, {
    classId: otherClass,
    rosterNumber: 'Z1',
    name: '他校 子',
    kana: 'タコウ コ',
  });
  await createRegistration(db, other, {
    classId: otherClass,
    studentId: otherStudent.id,
    childName: '他校 子',
    childKana: 'タコウ コ',
  });
});

describe('auth codes', () => {
  it('are 8 characters of an alphabet without look-alikes, fresh each time', () => {
    expect(AUTH_CODE_ALPHABET).not.toMatch(/[0O1IL]/);
    const codes = new Set(Array.from({ length: 2000 }, generateAuthCode));
    expect(codes.size).toBe(2000);
    for (const code of codes) expect(code).toMatch(/^[ABCDEFGHJKMNPQRSTUVWXYZ2-9]{8}$/);
    const used = new Set([...codes].join(''));
    expect(used.size).toBe(AUTH_CODE_ALPHABET.length);
  });

  it('normalizes what a parent types', () => {
    expect(normalizeAuthCodeInput(' ａｂｃｄ－ＥＦＧＨ ')).toBe('ABCDEFGH');
    expect(normalizeAuthCodeInput('abcd efgh')).toBe('ABCDEFGH');
  });

  it('rotates the school code and a class code, audited without the code', async () => {
    const admin = schoolAdmin(school, 7);
    const rotated = await rotateSchoolAuthCode(db, admin, { schoolId: school.id });
    expect(rotated.code).not.toBe('ABCDEFGH');
    const classId = classes.get('2:1組') ?? 0;
    const classCode = await rotateClassAuthCode(db, admin, { schoolId: school.id, classId });
    expect(classCode.code).toMatch(/^[A-Z2-9]{8}$/);
    const codes = await getAuthCodes(db, admin, { schoolId: school.id });
    expect(codes.school.code).toBe(rotated.code);
    expect(codes.classes.find((c) => c.classId === classId)?.code).toBe(classCode.code);
    expect(codes.classes.filter((c) => c.code === null)).toHaveLength(3);

    await rotateClassAuthCode(db, admin, { schoolId: school.id, classId, clear: true });
    expect(
      (await getAuthCodes(db, admin, { schoolId: school.id })).classes.every(
        (c) => c.code === null,
      ),
    ).toBe(true);

    const events = await db
      .select()
      .from(schema.auditEvents)
      .where(and(eq(schema.auditEvents.actorId, 7), eq(schema.auditEvents.actorType, 'staff')));
    expect(events.map((e) => e.action)).toEqual([
      'auth_code.rotate',
      'auth_code.rotate_class',
      'auth_code.clear_class',
    ]);
    expect(JSON.stringify(events)).not.toContain(rotated.code);
    expect(JSON.stringify(events)).not.toContain(classCode.code);
  });

  it('refuses a class of another school', async () => {
    const otherClass = (
      await db.select().from(schema.classes).where(eq(schema.classes.schoolId, other.id))
    )[0];
    await expect(
      rotateClassAuthCode(db, schoolAdmin(school), {
        schoolId: school.id,
        classId: otherClass?.id ?? 0,
      }),
    ).rejects.toMatchObject({ kind: 'not_found' });
  });
});

describe('registration statistics', () => {
  const board = (): StaffScope => ({ role: 'board', districtId: school.districtId });

  it('counts roster and registered households per class, grade and school', async () => {
    const [stats] = await registrationStatistics(db, schoolAdmin(school).scope);
    expect(stats).toMatchObject({
      schoolId: school.id,
      schoolName: '若草小学校',
      // H1 (registered), H2 (dead address only), H3 (none), H5 (registered).
      rosterHouseholds: 4,
      registeredHouseholds: 2,
      rate: 0.5,
    });
    const grade1 = stats?.grades.find((g) => g.grade === 1);
    expect(grade1).toMatchObject({ rosterHouseholds: 3, registeredHouseholds: 1 });
    expect(grade1?.classes).toEqual([
      expect.objectContaining({
        name: '1組',
        rosterHouseholds: 3,
        registeredHouseholds: 1,
        unmatchedRegistrations: 0,
      }),
      // The sibling in 1組 is registered, the child in 2組 is not: 2組 shows it.
      expect.objectContaining({
        name: '2組',
        rosterHouseholds: 1,
        registeredHouseholds: 0,
        rate: 0,
        unmatchedRegistrations: 1,
      }),
    ]);
    expect(stats?.grades.find((g) => g.grade === 2)).toMatchObject({
      rosterHouseholds: 1,
      registeredHouseholds: 1,
      rate: 1,
    });
  });

  it('gives the board every school of its district, and one on request', async () => {
    const all = await registrationStatistics(db, board());
    expect(
      all.map((s) => [s.schoolName, s.rosterHouseholds, s.registeredHouseholds]).sort(),
    ).toEqual([
      ['緑小学校', 1, 1],
      ['若草小学校', 4, 2],
    ]);
    const one = await registrationStatistics(db, board(), { schoolId: other.id });
    expect(one.map((s) => s.schoolId)).toEqual([other.id]);
    const elsewhere = await registrationStatistics(db, {
      role: 'board',
      districtId: school.districtId + 1000,
    });
    expect(elsewhere).toEqual([]);
  });

  it('gives a teacher their own class only, and refuses another school', async () => {
    const classId = classes.get('1:1組') ?? 0;
    const teacher: StaffScope = {
      role: 'teacher',
      districtId: school.districtId,
      schoolId: school.id,
      classId,
    };
    const stats = await registrationStatistics(db, teacher);
    expect(stats).toHaveLength(1);
    expect(stats[0]?.grades.flatMap((g) => g.classes.map((c) => c.classId))).toEqual([classId]);
    expect(stats[0]).toMatchObject({ rosterHouseholds: 3, registeredHouseholds: 1 });
    await expect(registrationStatistics(db, teacher, { schoolId: other.id })).rejects.toMatchObject(
      { kind: 'forbidden' },
    );
    await expect(
      registrationStatistics(db, schoolAdmin(school).scope, { schoolId: other.id }),
    ).rejects.toMatchObject({
      kind: 'forbidden',
    });
  });
});

describe('scope of every admin action', () => {
  it('assertSchoolAdminScope lets only the school admin of that school through', () => {
    expect(() => assertSchoolAdminScope(schoolAdmin(school).scope, school.id)).not.toThrow();
    for (const scope of outsiders(school, other, classes.get('1:1組') ?? 0).slice(0, 3)) {
      expect(() => assertSchoolAdminScope(scope, school.id)).toThrow(ServiceError);
    }
  });

  it('refuses teachers, other schools, the board and forged scopes, changing nothing', async () => {
    const schoolId = school.id;
    const file = utf8(
      csvText([
        ['学籍番号', '学年', '組', '氏名', 'カナ'],
        ['X1', '1', '1組', '新入 生', 'シンニュウ セイ'],
      ]),
    );
    const sheet = {
      schoolId,
      target: { kind: 'school' } as const,
      publicUrl: 'https://renraku.example.jp',
    };
    const actions: Record<string, (actor: StaffActor) => Promise<unknown>> = {
      previewRosterImport: (a) => previewRosterImport(db, a, { schoolId, file }),
      importRoster: (a) => importRoster(db, a, { schoolId, file }),
      listRoster: (a) => listRoster(db, a, { schoolId }),
      previewRollover: (a) => previewRollover(db, a, { schoolId, now: MARCH }),
      rolloverSchool: (a) => rolloverSchool(db, a, { schoolId, now: MARCH }),
      previewTransferOut: (a) => previewTransferOut(db, a, { schoolId, studentId }),
      transferStudentOut: (a) => transferStudentOut(db, a, { schoolId, studentId }),
      getAuthCodes: (a) => getAuthCodes(db, a, { schoolId }),
      rotateSchoolAuthCode: (a) => rotateSchoolAuthCode(db, a, { schoolId }),
      rotateClassAuthCode: (a) =>
        rotateClassAuthCode(db, a, { schoolId, classId: classes.get('1:1組') ?? 0 }),
      registrationSheets: (a) => registrationSheets(db, a, sheet),
      registrationSheetPdf: (a) => registrationSheetPdf(db, a, sheet),
    };
    const before = await rowCounts(db);
    const codeBefore = (await getAuthCodes(db, schoolAdmin(school), { schoolId })).school.code;
    for (const scope of outsiders(school, other, classes.get('1:1組') ?? 0)) {
      for (const [name, action] of Object.entries(actions)) {
        await expect(
          action({ staffUserId: 99, scope }),
          `${name} as ${JSON.stringify(scope)}`,
        ).rejects.toMatchObject({
          kind: 'forbidden',
          status: 403,
        });
      }
    }
    expect(await rowCounts(db)).toEqual(before);
    expect((await getAuthCodes(db, schoolAdmin(school), { schoolId })).school.code).toBe(
      codeBefore,
    );
    // The school's own admin may do each of them (the read-only ones shown here).
    const admin = schoolAdmin(school);
    await expect(actions.listRoster?.(admin)).resolves.toMatchObject({ schoolYear: 2025 });
    await expect(actions.previewTransferOut?.(admin)).resolves.toMatchObject({ studentId });
  });
});
