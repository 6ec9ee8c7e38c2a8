import { schema } from '@renraku/db';
import { and, eq } from 'drizzle-orm';
import iconv from 'iconv-lite';
import { ServiceError } from '@renraku/shared';
import { describe, expect, it } from 'vitest';
import {
  importRoster,
  MAX_ROWS,
  previewRosterImport,
  type StaffActor,
} from '../../apps/web/src/lib/server/roster';
import {
  createClasses,
  createDistrict,
  createRegistration,
  createSchool,
  csvText,
  refusalOf,
  rowCounts,
  schoolAdmin,
  utf8,
  type SchoolFixture,
  useTestDatabase,
} from './fixtures';

const db = useTestDatabase();

const HEADER = ['学籍番号', '学年', '組', '氏名', 'ふりがな', '世帯番号', '電話1', '電話2'];
const ROWS = [
  ['1001', '1', '1組', '山田　太郎', 'やまだ　たろう', 'H1', '0144-32-1111', '090-1111-2222'],
  ['1002', '3', '2組', '山田　花子', 'ヤマダ ハナコ', 'H1', '0144-32-1111', ''],
  ['1003', '1', '2', '佐藤 一郎', 'ｻﾄｳ ｲﾁﾛｳ', 'H2', '０８０１２３４５６７８', ''],
];

/** A fresh elementary school with classes 1組/2組 in every grade. */
async function freshSchool(): Promise<{
  school: SchoolFixture;
  admin: StaffActor;
  classes: Map<string, number>;
}> {
  const school = await createSchool(db, await createDistrict(db));
  const classes = await createClasses(db, school, [1, 2, 3, 4, 5, 6]);
  return { school, admin: schoolAdmin(school), classes };
}

function studentsOf(schoolId: number) {
  return db
    .select()
    .from(schema.students)
    .where(eq(schema.students.schoolId, schoolId))
    .orderBy(schema.students.rosterNumber);
}

describe('reading roster files', () => {
  it('previews a UTF-8 file with Japanese headers in stored form, storing nothing', async () => {
    const { school, admin } = await freshSchool();
    const before = await rowCounts(db);
    const preview = await previewRosterImport(db, admin, {
      schoolId: school.id,
      file: utf8(csvText([HEADER, ...ROWS])),
    });
    expect(await rowCounts(db)).toEqual(before);
    expect(preview.totals).toEqual({ rows: 3, new: 3, update: 0, unchanged: 0, error: 0 });
    expect(preview.canImport).toBe(true);
    expect(preview.schoolYear).toBe(2025);
    expect(preview.rows[0]).toMatchObject({
      row: 2,
      rosterNumber: '1001',
      grade: 1,
      className: '1組',
      name: '山田 太郎',
      kana: 'ヤマダ タロウ',
      householdKey: 'H1',
      phones: [
        { label: '電話1', number: '0144-32-1111' },
        { label: '電話2', number: '090-1111-2222' },
      ],
      action: 'new',
    });
    expect(preview.rows[2]).toMatchObject({
      className: '2組',
      kana: 'サトウ イチロウ',
      phones: [{ label: '電話1', number: '080-1234-5678' }],
    });
  });

  it('reads UTF-8 with a BOM, Shift_JIS, English headers and tab-separated UTF-16 alike', async () => {
    const { school, admin } = await freshSchool();
    const text = csvText([HEADER, ...ROWS]);
    const english = csvText([
      ['roster_number', 'grade', 'class', 'name', 'kana', 'household', 'phone1', 'phone2'],
      ...ROWS,
    ]);
    const tabbed = [HEADER, ...ROWS].map((cells) => cells.join('\t')).join('\r\n');
    const files = {
      bom: Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(text)]),
      shiftJis: iconv.encode(text, 'Shift_JIS'),
      english: utf8(english),
      utf16: Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(tabbed, 'utf16le')]),
    };
    const reference = await previewRosterImport(db, admin, {
      schoolId: school.id,
      file: utf8(text),
    });
    const pick = (p: typeof reference) =>
      p.rows.map(({ rosterNumber, grade, className, name, kana, householdKey, phones }) => ({
        rosterNumber,
        grade,
        className,
        name,
        kana,
        householdKey,
        phones: phones.map((phone) => phone.number),
      }));
    expect(iconv.decode(files.shiftJis, 'Shift_JIS')).toBe(text);
    expect(utf8(text)).not.toEqual(new Uint8Array(files.shiftJis));
    for (const [kind, file] of Object.entries(files)) {
      const preview = await previewRosterImport(db, admin, { schoolId: school.id, file });
      expect(pick(preview), kind).toEqual(pick(reference));
    }
  });

  it('refuses files it cannot read with a clear error and stores nothing', async () => {
    const { school, admin } = await freshSchool();
    const before = await rowCounts(db);
    const cases: [Uint8Array, RegExp][] = [
      [new Uint8Array(), /空/],
      [utf8('学年,組\r\n1,1組\r\n'), /必要な列がありません: 学籍番号、氏名、ふりがな/],
      [utf8(csvText([HEADER])), /データの行がありません/],
      [utf8(`${HEADER.join(',')}\r\n1001,1,"1組,山田\r\n`), /CSV の形式/],
      [new Uint8Array([0x82, 0xa0, 0xff, 0xff, 0x0a]), /文字コード/],
      [new Uint8Array(5 * 1024 * 1024 + 1).fill(0x41), /大きすぎます/],
      [
        utf8(
          csvText([
            ['学籍番号', '学籍番号', '学年', '組', '氏名', 'カナ'],
            ['1', '1', '1', '1組', '山田', 'ヤマダ'],
          ]),
        ),
        /同じ意味の列/,
      ],
    ];
    for (const [file, message] of cases) {
      expect(
        await refusalOf(previewRosterImport(db, admin, { schoolId: school.id, file })),
      ).toMatch(message);
      await expect(importRoster(db, admin, { schoolId: school.id, file })).rejects.toBeInstanceOf(
        ServiceError,
      );
    }
    const tooMany = csvText([
      HEADER,
      ...Array.from({ length: MAX_ROWS + 1 }, (_, i) => [
        `${i + 1}`,
        '1',
        '1組',
        '山田',
        'ヤマダ',
        '',
        '',
        '',
      ]),
    ]);
    expect(
      await refusalOf(previewRosterImport(db, admin, { schoolId: school.id, file: utf8(tooMany) })),
    ).toMatch(/行が多すぎます/);
    expect(await rowCounts(db)).toEqual(before);
  });
});

describe('validating rows', () => {
  const BAD = [
    ['2001', '7', '1組', '生徒 七', 'セイト ナナ', 'B1', '0144-32-2001', ''],
    ['2002', '1', '3組', '生徒 三組', 'セイト サンクミ', 'B2', '0144-32-2002', ''],
    ['2003', '1', '1組', '生徒 漢字', '漢字', 'B3', '0144-32-2003', ''],
    ['2004', '1', '1組', '生徒 重複一', 'セイト ジュウフクイチ', 'B4', '0144-32-2004', ''],
    ['2004', '1', '2組', '生徒 重複二', 'セイト ジュウフクニ', 'B5', '0144-32-2005', ''],
    ['2006', '1', '1組', '生徒 電話', 'セイト デンワ', 'B6', '0144-32-12', ''],
    ['2007', '1', '1組', '', 'セイト ナシ', 'B7', '0144-32-2007', ''],
    ['2008', '1', '1組', '長'.repeat(61), 'セイト ナガイ', 'B8', '0144-32-2008', ''],
    ['', '1', '1組', '生徒 番号なし', 'セイト バンゴウナシ', 'B9', '0144-32-2009', ''],
    ['2010', '1', '', '生徒 組なし', 'セイト クミナシ', 'B10', '0144-32-2010', ''],
    ['2011', '1', '1組', '生徒 正常', 'セイト セイジョウ', 'B11', '0144-32-2011', ''],
  ];

  it('marks each kind of malformed row with a Japanese message and stores nothing', async () => {
    const { school, admin } = await freshSchool();
    const file = utf8(csvText([HEADER, ...BAD]));
    const before = await rowCounts(db);
    const preview = await previewRosterImport(db, admin, { schoolId: school.id, file });
    const errorsOf = (row: number) =>
      preview.rows.find((r) => r.row === row)?.errors.join(' ') ?? '';
    expect(errorsOf(2)).toMatch(/学年「7」が正しくありません（小学校は1〜6年）/);
    expect(errorsOf(3)).toMatch(/1年「3組」は2025年度のクラスにありません/);
    expect(errorsOf(4)).toMatch(/カタカナまたはひらがな/);
    expect(errorsOf(5)).toMatch(/学籍番号「2004」が重複しています（5、6 行目）/);
    expect(errorsOf(6)).toMatch(/重複/);
    expect(errorsOf(7)).toMatch(/電話1「0144-32-12」: 電話番号が正しくありません/);
    expect(errorsOf(8)).toMatch(/氏名を入力してください/);
    expect(errorsOf(9)).toMatch(/60文字以内/);
    expect(errorsOf(10)).toMatch(/学籍番号がありません/);
    expect(errorsOf(11)).toMatch(/組（クラス）がありません/);
    expect(errorsOf(12)).toBe('');
    expect(preview.totals).toEqual({ rows: 11, new: 1, update: 0, unchanged: 0, error: 10 });
    expect(preview.canImport).toBe(false);

    expect(await refusalOf(importRoster(db, admin, { schoolId: school.id, file }))).toMatch(
      /エラーのある行が 10 行あるため、取り込みませんでした/,
    );
    expect(await rowCounts(db)).toEqual(before);
  });

  it('imports only the valid rows when the admin chooses skipInvalidRows', async () => {
    const { school, admin } = await freshSchool();
    const file = utf8(csvText([HEADER, ...BAD]));
    const options = { skipInvalidRows: true };
    const preview = await previewRosterImport(db, admin, { schoolId: school.id, file, options });
    expect(preview.canImport).toBe(true);
    const result = await importRoster(db, admin, { schoolId: school.id, file, options });
    expect(result.totals.error).toBe(10);
    const stored = await studentsOf(school.id);
    expect(stored.map((s) => s.rosterNumber)).toEqual(['2011']);
  });

  it('creates the classes a file names only when createMissingClasses is chosen', async () => {
    const { school, admin } = await freshSchool();
    const file = utf8(
      csvText([
        HEADER,
        ['3001', '2', 'ひまわり学級', '特別 支援', 'トクベツ シエン', 'C1', '0144-32-3001', ''],
      ]),
    );
    const refused = await previewRosterImport(db, admin, { schoolId: school.id, file });
    expect(refused.rows[0]?.errors.join()).toMatch(/ない組を作成する/);
    const options = { createMissingClasses: true };
    const preview = await previewRosterImport(db, admin, { schoolId: school.id, file, options });
    expect(preview.classesToCreate).toEqual([{ grade: 2, name: 'ひまわり学級' }]);
    expect(preview.rows[0]?.action).toBe('new');
    const result = await importRoster(db, admin, { schoolId: school.id, file, options });
    expect(result.classesCreated).toBe(1);
    const [created] = await db
      .select()
      .from(schema.classes)
      .where(and(eq(schema.classes.schoolId, school.id), eq(schema.classes.name, 'ひまわり学級')));
    expect(created).toMatchObject({ grade: 2, schoolYear: 2025 });
    const [student] = await studentsOf(school.id);
    expect(student?.classId).toBe(created?.id);
  });
});

describe('importing', () => {
  it('stores students and households with phones; the same file again changes nothing', async () => {
    const { school, admin, classes } = await freshSchool();
    const file = utf8(csvText([HEADER, ...ROWS]));
    const result = await importRoster(db, admin, { schoolId: school.id, file });
    expect(result.totals.new).toBe(3);
    expect(result.householdsWritten).toBe(2);

    const stored = await studentsOf(school.id);
    expect(stored.map((s) => [s.rosterNumber, s.name, s.kana, s.classId, s.status])).toEqual([
      ['1001', '山田 太郎', 'ヤマダ タロウ', classes.get('1:1組'), 'enrolled'],
      ['1002', '山田 花子', 'ヤマダ ハナコ', classes.get('3:2組'), 'enrolled'],
      ['1003', '佐藤 一郎', 'サトウ イチロウ', classes.get('1:2組'), 'enrolled'],
    ]);
    expect(stored[0]?.householdId).toBe(stored[1]?.householdId);
    const households = await db
      .select()
      .from(schema.households)
      .where(eq(schema.households.schoolId, school.id))
      .orderBy(schema.households.householdKey);
    expect(households.map((h) => [h.householdKey, h.phones])).toEqual([
      [
        'H1',
        [
          { label: '電話1', number: '0144-32-1111' },
          { label: '電話2', number: '090-1111-2222' },
        ],
      ],
      ['H2', [{ label: '電話1', number: '080-1234-5678' }]],
    ]);

    const before = await rowCounts(db);
    const again = await previewRosterImport(db, admin, { schoolId: school.id, file });
    expect(again.totals).toEqual({ rows: 3, new: 0, update: 0, unchanged: 3, error: 0 });
    const second = await importRoster(db, admin, { schoolId: school.id, file });
    expect(second.householdsWritten).toBe(0);
    const after = await rowCounts(db);
    expect({ ...after, auditEvents: before.auditEvents }).toEqual(before);
    expect(await studentsOf(school.id)).toEqual(stored);
  });

  it('updates by roster number, lists students missing from the file and keeps them', async () => {
    const { school, admin, classes } = await freshSchool();
    await importRoster(db, admin, { schoolId: school.id, file: utf8(csvText([HEADER, ...ROWS])) });
    const changed = csvText([
      HEADER,
      // Excel dropped the leading zeros of another export: still roster number 1001.
      ['001001', '1', '2組', '山田　太郎', 'ヤマダ タロウ', 'H1', '0144-32-9999', ''],
      ['1003', '1', '2組', '佐藤 一郎', 'サトウ イチロウ', 'H2', '080-1234-5678', ''],
    ]);
    const preview = await previewRosterImport(db, admin, {
      schoolId: school.id,
      file: utf8(changed),
    });
    expect(preview.rows.map((r) => [r.rosterNumber, r.action, r.changes])).toEqual([
      ['1001', 'update', ['組（1年1組 → 1年2組）', '電話番号']],
      ['1003', 'unchanged', []],
    ]);
    expect(preview.notInFile).toMatchObject([
      { rosterNumber: '1002', grade: 3, className: '2組', name: '山田 花子' },
    ]);
    await importRoster(db, admin, { schoolId: school.id, file: utf8(changed) });
    const stored = await studentsOf(school.id);
    expect(stored.map((s) => [s.rosterNumber, s.classId, s.status])).toEqual([
      ['1001', classes.get('1:2組'), 'enrolled'],
      ['1002', classes.get('3:2組'), 'enrolled'],
      ['1003', classes.get('1:2組'), 'enrolled'],
    ]);
    const [household] = await db
      .select()
      .from(schema.households)
      .where(
        and(eq(schema.households.schoolId, school.id), eq(schema.households.householdKey, 'H1')),
      );
    expect(household?.phones).toEqual([{ label: '電話1', number: '0144-32-9999' }]);
  });

  it('matches registrations to the imported students by class and kana or name', async () => {
    const { school, admin, classes } = await freshSchool();
    const class11 = classes.get('1:1組') ?? 0;
    const byKana = await createRegistration(db, school, {
      classId: class11,
      childName: '山田たろう',
      childKana: 'やまだ たろう',
    });
    const byName = await createRegistration(db, school, {
      classId: classes.get('3:2組') ?? 0,
      childName: '山田花子',
      childKana: 'ヤマダハナ',
    });
    const wrongClass = await createRegistration(db, school, {
      classId: classes.get('2:1組') ?? 0,
      childName: '佐藤 一郎',
      childKana: 'サトウ イチロウ',
    });
    const result = await importRoster(db, admin, {
      schoolId: school.id,
      file: utf8(csvText([HEADER, ...ROWS])),
    });
    expect(result.registrations).toEqual({ matched: 2, unmatched: 1, changed: 2 });
    const stored = new Map((await studentsOf(school.id)).map((s) => [s.rosterNumber, s.id]));
    const registrations = new Map(
      (
        await db
          .select()
          .from(schema.registrations)
          .where(eq(schema.registrations.schoolId, school.id))
      ).map((r) => [r.id, r.studentId]),
    );
    expect(registrations.get(byKana)).toBe(stored.get('1001'));
    expect(registrations.get(byName)).toBe(stored.get('1002'));
    expect(registrations.get(wrongClass)).toBeNull();
  });

  it('audits every import with counts and no personal data', async () => {
    const { school, admin } = await freshSchool();
    await importRoster(db, admin, { schoolId: school.id, file: utf8(csvText([HEADER, ...ROWS])) });
    const events = await db
      .select()
      .from(schema.auditEvents)
      .where(
        and(
          eq(schema.auditEvents.action, 'roster.import'),
          eq(schema.auditEvents.subjectId, String(school.id)),
        ),
      );
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({
      actorType: 'staff',
      actorId: admin.staffUserId,
      subjectType: 'school',
    });
    expect(events[0]?.detail).toMatchObject({ totals: { new: 3 }, schoolYear: 2025 });
    const detail = JSON.stringify(events[0]?.detail);
    for (const personal of ['山田', 'ヤマダ', '0144', '090', 'H1'])
      expect(detail).not.toContain(personal);
  });

  it('imports a 10,000-row file in one transaction and re-imports it unchanged', async () => {
    const { school, admin } = await freshSchool();
    const rows = Array.from({ length: 10_000 }, (_, i) => {
      const grade = String((i % 6) + 1);
      const household = `F${Math.floor(i / 2)}`; // every two rows are siblings
      const phone = `090-${String(1000 + (i % 9000)).padStart(4, '0')}-${String(i % 10_000).padStart(4, '0')}`;
      return [
        `${100_000 + i}`,
        grade,
        `${(i % 2) + 1}組`,
        `児童 ${i}`,
        'じどう たろう',
        household,
        phone,
        '',
      ];
    });
    const file = utf8(csvText([HEADER, ...rows]));
    const result = await importRoster(db, admin, { schoolId: school.id, file });
    expect(result.totals).toEqual({ rows: 10_000, new: 10_000, update: 0, unchanged: 0, error: 0 });
    expect(result.householdsWritten).toBe(5_000);
    expect(await studentsOf(school.id)).toHaveLength(10_000);
    const again = await previewRosterImport(db, admin, { schoolId: school.id, file });
    expect(again.totals.unchanged).toBe(10_000);
  });
});
