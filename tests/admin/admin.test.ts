import { schema } from '@renraku/db';
import { and, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRegistration, csvText, rowCounts, utf8 } from '../roster/fixtures';
import {
  csvForm,
  heldFieldsOf,
  PASSWORD,
  signedIn,
  startAdminWorld,
  textOf,
  Visitor,
  type AdminWorld,
} from './support';

// The school administration pages over HTTP, as a school PC without JavaScript uses them:
// the scope of every page and action, the roster import's dry run and confirmation, the
// registration sheets' PDF, staff accounts and API tokens.

let world: AdminWorld;
let board: Visitor;
let admin: Visitor;
let otherAdmin: Visitor;
let teacher: Visitor;

beforeAll(async () => {
  world = await startAdminWorld();
  await createRegistration(world.db, world.school, {
    classId: world.classes.get('1:1組')!,
    childName: '山田 花子',
    childKana: 'ヤマダ ハナコ',
    studentId: world.studentId,
  });
  [board, admin, otherAdmin, teacher] = await Promise.all([
    signedIn(world, 'board.sato'),
    signedIn(world, 'admin.wakakusa'),
    signedIn(world, 'admin.aoba'),
    signedIn(world, 'teacher.wakakusa'),
  ]);
});

afterAll(async () => {
  await world?.close();
});

const ROSTER_HEADER = ['学籍番号', '学年', '組', '氏名', 'ふりがな', '世帯番号', '電話1'];
const rosterFile = (rows: string[][]) => utf8(csvText([ROSTER_HEADER, ...rows]));

async function studentCount(schoolId: number): Promise<number> {
  const rows = await world.db
    .select({ id: schema.students.id })
    .from(schema.students)
    .where(and(eq(schema.students.schoolId, schoolId), eq(schema.students.status, 'enrolled')));
  return rows.length;
}

async function schoolAuthCode(schoolId: number): Promise<string> {
  const [row] = await world.db
    .select({ code: schema.schools.authCode })
    .from(schema.schools)
    .where(eq(schema.schools.id, schoolId));
  return row!.code;
}

describe('who may use which admin page', () => {
  it('sends a visitor without a session to the login page', async () => {
    const response = await new Visitor(world.base).get('/staff/school');
    expect(response.status).toBe(303);
    expect(response.headers.get('location')).toMatch(/^\/staff\/login\?next=/);
  });

  it('refuses teachers the school pages and the accounts page', async () => {
    for (const path of [
      '/staff/school',
      '/staff/school/rollover',
      '/staff/school/codes',
      '/staff/school/sheets',
      '/staff/school/sheets.pdf',
      `/staff/school/transfer?student=${world.studentId}`,
      '/staff/accounts',
    ]) {
      expect((await teacher.get(path)).status, path).toBe(403);
    }
  });

  it('lets a teacher create no account and import no roster', async () => {
    const before = await world.db.select().from(schema.staffUsers);
    const created = await teacher.post('/staff/accounts?/create', {
      role: 'teacher',
      login: 'sneaky.teacher',
      displayName: '担任 二郎',
      password: PASSWORD,
      classId: String(world.classes.get('1:2組')),
    });
    expect(created.status).toBe(403);
    const imported = await teacher.post(
      '/staff/school?/preview',
      csvForm(
        {},
        {
          field: 'file',
          bytes: rosterFile([['T1', '1', '1組', '山田 太郎', 'ヤマダ タロウ', '', '']]),
        },
      ),
    );
    expect(imported.status).toBe(403);
    expect(await world.db.select().from(schema.staffUsers)).toHaveLength(before.length);
  });

  it('shows a teacher the registration figures of their own class only', async () => {
    const page = textOf(await (await teacher.get('/staff/statistics')).text());
    expect(page).toContain('1年1組');
    expect(page).not.toContain('1年2組');
    expect(page).not.toContain('青葉小学校');
    expect((await teacher.get(`/staff/statistics?school=${world.otherSchool.id}`)).status).toBe(
      403,
    );
  });

  it('gives the board the school list and every school’s figures, but never an auth code', async () => {
    const list = await board.get('/staff/school');
    expect(list.status).toBe(200);
    const listText = textOf(await list.text());
    expect(listText).toContain('若草小学校');
    expect(listText).toContain('青葉小学校');
    const statistics = textOf(await (await board.get('/staff/statistics')).text());
    expect(statistics).toContain('若草小学校');
    expect(statistics).toContain('青葉小学校');
    for (const path of [
      '/staff/school/codes',
      '/staff/school/sheets',
      '/staff/school/sheets.pdf',
    ]) {
      const response = await board.get(path);
      expect(response.status, path).toBe(403);
      expect(await response.text()).not.toContain(world.school.authCode);
    }
  });

  it('keeps a school admin out of another school’s roster, codes, sheets and teachers', async () => {
    const otherClassId = world.otherClasses.get('1:1組')!;
    // Sheets of the other school's class: no such class in the admin's own school.
    expect((await admin.get(`/staff/school/sheets?class=${otherClassId}`)).status).toBe(404);
    expect((await admin.get(`/staff/school/sheets.pdf?class=${otherClassId}`)).status).toBe(404);
    // Transfer of the other school's student.
    expect((await admin.get(`/staff/school/transfer?student=${world.otherStudentId}`)).status).toBe(
      404,
    );
    const transfer = await admin.post('/staff/school/transfer?/transfer', {
      studentId: String(world.otherStudentId),
    });
    expect(transfer.status).toBe(404);
    expect(await studentCount(world.otherSchool.id)).toBe(1);
    // The other school's class code.
    const rotate = await admin.post('/staff/school/codes?/rotateClass', {
      classId: String(otherClassId),
      confirm: 'yes',
    });
    expect(rotate.status).toBe(404);
    const [otherClass] = await world.db
      .select({ code: schema.classes.authCode })
      .from(schema.classes)
      .where(eq(schema.classes.id, otherClassId));
    expect(otherClass?.code).toBeNull();
    // The other school's auth code never appears on the admin's pages.
    expect(await (await admin.get('/staff/school/codes')).text()).not.toContain(
      await schoolAuthCode(world.otherSchool.id),
    );
    // The other school's figures.
    expect((await admin.get(`/staff/statistics?school=${world.otherSchool.id}`)).status).toBe(403);
    // The other school's teacher (and its admin).
    const [teacherBefore] = await world.db
      .select({ hash: schema.staffUsers.passwordHash })
      .from(schema.staffUsers)
      .where(eq(schema.staffUsers.id, world.staff.teacher));
    const reset = await otherAdmin.post('/staff/accounts?/reset', {
      staffUserId: String(world.staff.teacher),
      password: 'a new password for the teacher',
    });
    expect(reset.status).toBe(403);
    const disable = await otherAdmin.post('/staff/accounts?/disable', {
      staffUserId: String(world.staff.admin),
    });
    expect(disable.status).toBe(403);
    const [teacherAfter] = await world.db
      .select({ hash: schema.staffUsers.passwordHash, disabledAt: schema.staffUsers.disabledAt })
      .from(schema.staffUsers)
      .where(eq(schema.staffUsers.id, world.staff.teacher));
    expect(teacherAfter?.hash).toBe(teacherBefore?.hash);
    const accounts = textOf(await (await otherAdmin.get('/staff/accounts')).text());
    expect(accounts).not.toContain('teacher.wakakusa');
  });

  it('shows the school admin its own auth code and class codes, and rotates them on confirmation', async () => {
    const page = await admin.get('/staff/school/codes');
    expect(page.status).toBe(200);
    expect(await page.text()).toContain(world.school.authCode);
    const unconfirmed = await admin.post('/staff/school/codes?/rotateSchool', {});
    expect(unconfirmed.status).toBe(400);
    expect(await schoolAuthCode(world.school.id)).toBe(world.school.authCode);
    const rotated = await admin.post('/staff/school/codes?/rotateSchool', { confirm: 'yes' });
    expect(rotated.status).toBe(200);
    const code = await schoolAuthCode(world.school.id);
    expect(code).not.toBe(world.school.authCode);
    expect(await rotated.text()).toContain(code);
    const audit = await world.db
      .select()
      .from(schema.auditEvents)
      .where(eq(schema.auditEvents.action, 'auth_code.rotate'));
    expect(audit.map((a) => a.actorId)).toEqual([world.staff.admin]);
  });
});

describe('roster import', () => {
  const rows = [
    ['A001', '1', '1組', '山田 花子', 'ヤマダ ハナコ', 'H1', '0144-32-1111'],
    ['A002', '1', '1組', '山田 太郎', 'やまだ たろう', 'H1', '0144-32-1111'],
    ['A003', '2', '3組', '鈴木 次郎', 'スズキ ジロウ', '', '090-1234-5678'],
  ];

  it('previews without storing anything, then imports exactly the previewed file', async () => {
    const before = await rowCounts(world.db);
    const preview = await admin.post(
      '/staff/school?/preview',
      csvForm({ createMissingClasses: 'yes' }, { field: 'file', bytes: rosterFile(rows) }),
    );
    expect(preview.status).toBe(200);
    const html = await preview.text();
    const text = textOf(html);
    expect(text).toContain('全 3 行: 新規 2 ・ 更新 1 ・ 変更なし 0 ・ エラー 0');
    expect(text).toContain('2年3組');
    expect(text).toContain('鈴木 次郎');
    expect(await rowCounts(world.db)).toEqual(before);

    const held = heldFieldsOf(html);
    // A changed byte or another admin's replay of the sealed file is refused.
    const tampered = Buffer.from(held.heldFile!, 'base64');
    tampered[tampered.length - 3] = 0x39;
    const forged = await admin.post('/staff/school?/import', {
      ...held,
      heldFile: tampered.toString('base64'),
      createMissingClasses: 'yes',
    });
    expect(forged.status).toBe(400);
    expect(textOf(await forged.text())).toContain('もう一度ファイルを選んでプレビューしてください');
    expect((await otherAdmin.post('/staff/school?/import', held)).status).toBe(400);
    expect(await rowCounts(world.db)).toEqual(before);

    const imported = await admin.post('/staff/school?/import', {
      ...held,
      createMissingClasses: 'yes',
    });
    expect(imported.status).toBe(200);
    expect(textOf(await imported.text())).toContain('名簿を取り込みました（新規 2 ・ 更新 1');
    expect(await studentCount(world.school.id)).toBe(3);
    expect(await studentCount(world.otherSchool.id)).toBe(1);

    // The roster page lists them by class with their registration state and no address.
    const roster = textOf(await (await admin.get('/staff/school')).text());
    expect(roster).toMatch(/1年1組 1 \/ 2 人登録/);
    expect(roster).toContain('2年3組');
    expect(roster).not.toContain('@');
  });

  it('explains a file without the roster columns and stores nothing', async () => {
    const before = await rowCounts(world.db);
    const response = await admin.post(
      '/staff/school?/preview',
      csvForm({}, { field: 'file', bytes: utf8('名前,住所\r\n山田,どこか\r\n') }),
    );
    expect(response.status).toBe(400);
    expect(textOf(await response.text())).toContain('必要な列がありません: 学籍番号、学年、組');
    expect(await rowCounts(world.db)).toEqual(before);
  });

  it('shows row errors and refuses to import them unless told to skip them', async () => {
    const before = await rowCounts(world.db);
    const bad = rosterFile([
      ['A010', '9', '1組', '田中 三郎', 'タナカ サブロウ', '', ''],
      ['A011', '1', '1組', '田中 四郎', 'tanaka', '', 'abc'],
    ]);
    const response = await admin.post(
      '/staff/school?/preview',
      csvForm({}, { field: 'file', bytes: bad }),
    );
    expect(response.status).toBe(200);
    const html = await response.text();
    expect(textOf(html)).toContain('エラー 2');
    expect(textOf(html)).toContain('このままでは取り込めません');
    const refusedImport = await admin.post('/staff/school?/import', heldFieldsOf(html));
    expect(refusedImport.status).toBe(400);
    expect(await rowCounts(world.db)).toEqual(before);
  });

  it('takes a file over adapter-node’s default 512 KB body limit, and its confirmation', async () => {
    const note = 'アレルギー・連絡事項など、取り込まない備考欄の長い文章。'.repeat(40);
    const big = utf8(
      csvText([
        [...ROSTER_HEADER, '備考'],
        ...Array.from({ length: 200 }, (_, i) => [
          `L${1000 + i}`,
          '5',
          '1組',
          '大島 太郎',
          'オオシマ タロウ',
          '',
          '0144-32-1111',
          note,
        ]),
      ]),
    );
    expect(big.length).toBeGreaterThan(600 * 1024);
    const preview = await admin.post(
      '/staff/school?/preview',
      csvForm({}, { field: 'file', bytes: big }),
    );
    expect(preview.status).toBe(200);
    const html = await preview.text();
    expect(textOf(html)).toContain('全 200 行: 新規 200');
    const imported = await admin.post('/staff/school?/import', heldFieldsOf(html));
    expect(imported.status).toBe(200);
    expect(await studentCount(world.school.id)).toBe(203);
  });

  it('asks for a file when none was chosen', async () => {
    const response = await admin.post('/staff/school?/preview', csvForm({}));
    expect(response.status).toBe(400);
    expect(textOf(await response.text())).toContain('CSV ファイルを選んでください');
  });
});

describe('refusals in the reader’s language', () => {
  it('words a service’s refusal in English on an English admin page, with the same status', async () => {
    const english = await signedIn(world, 'admin.wakakusa');
    english.cookie += '; renraku_lang=en';
    const before = await rowCounts(world.db);
    const preview = await english.post(
      '/staff/school?/preview',
      csvForm({}, { field: 'file', bytes: utf8('名前,住所\r\n山田,どこか\r\n') }),
    );
    expect(preview.status).toBe(400);
    const previewText = textOf(await preview.text());
    expect(previewText).toContain('Required columns are missing: 学籍番号、学年、組');
    expect(previewText).not.toContain('必要な列がありません');

    const account = await english.post('/staff/accounts?/create', {
      role: 'teacher',
      displayName: '担任 四郎',
      classId: String(world.classes.get('2:1組')),
      login: 'teacher.english',
      password: 'too short',
    });
    expect(account.status).toBe(400);
    const accountText = textOf(await account.text());
    expect(accountText).toContain('The password must have at least 12 characters');
    expect(accountText).not.toContain('パスワードは12文字以上');
    expect(await rowCounts(world.db)).toEqual(before);
  });
});

describe('roll-over and transfer pages', () => {
  it('previews the roll-over and runs it only when the new school year is typed', async () => {
    const page = textOf(await (await admin.get('/staff/school/rollover')).text());
    expect(page).toContain('2025年度 → 2026年度');
    const wrong = await admin.post('/staff/school/rollover?/rollover', { confirmYear: '2025' });
    expect(wrong.status).toBe(400);
    expect(textOf(await wrong.text())).toContain('2026 と入力してください');
    const [latest] = await world.db
      .select({ year: schema.classes.schoolYear })
      .from(schema.classes)
      .where(eq(schema.classes.schoolId, world.school.id))
      .orderBy(schema.classes.schoolYear);
    expect(latest?.year).toBe(2025);
    expect(
      (await teacher.post('/staff/school/rollover?/rollover', { confirmYear: '2026' })).status,
    ).toBe(403);
  });

  it('transfers a student out after the confirmation page and deletes the registration', async () => {
    const page = textOf(
      await (await admin.get(`/staff/school/transfer?student=${world.studentId}`)).text(),
    );
    expect(page).toContain('A001 山田 花子');
    expect(page).toContain('削除する登録: 1 件（メールアドレス 1 件）');
    const response = await admin.post('/staff/school/transfer?/transfer', {
      studentId: String(world.studentId),
    });
    expect(response.status).toBe(303);
    expect(response.headers.get('location')).toBe('/staff/school?done=transferred');
    const [student] = await world.db
      .select({ status: schema.students.status })
      .from(schema.students)
      .where(eq(schema.students.id, world.studentId));
    expect(student?.status ?? 'deleted').not.toBe('enrolled');
    const registrations = await world.db
      .select()
      .from(schema.registrations)
      .where(eq(schema.registrations.schoolId, world.school.id));
    expect(registrations).toHaveLength(0);
  });
});

describe('registration sheets', () => {
  it('renders the print page with both QR codes, the address and the auth code', async () => {
    const response = await admin.get(`/staff/school/sheets?class=${world.classes.get('1:1組')}`);
    expect(response.status).toBe(200);
    const html = await response.text();
    expect(html).toMatch(/<img[^>]+class="qr qr-mailto[^"]*"[^>]+src="data:image\/png;base64,/);
    expect(html).toMatch(/<img[^>]+class="qr qr-login[^"]*"[^>]+src="data:image\/png;base64,/);
    const text = textOf(html);
    expect(text).toContain(world.school.registrationAddress);
    expect(text).toContain(await schoolAuthCode(world.school.id));
    expect(text).toContain('1年1組');
    expect(text).toContain('ドメイン指定着信');
    expect(text).toContain('http://renraku.test/login');
  });

  it('serves the PDF of one sheet per class', async () => {
    const response = await admin.get('/staff/school/sheets.pdf?classes=all');
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('application/pdf');
    expect(response.headers.get('cache-control')).toContain('no-store');
    const pdf = Buffer.from(await response.arrayBuffer());
    expect(pdf.subarray(0, 5).toString('latin1')).toBe('%PDF-');
    // One A4 page per class of the current year (12 classes, plus 2年3組 from the import).
    expect(pdf.toString('latin1').match(/\/Type \/Page\b/g)).toHaveLength(13);
  });

  it('answers 404 for a class id that is not a number', async () => {
    expect((await admin.get('/staff/school/sheets.pdf?class=abc')).status).toBe(404);
  });
});

describe('staff accounts', () => {
  async function accountByLogin(login: string) {
    const [row] = await world.db
      .select()
      .from(schema.staffUsers)
      .where(eq(schema.staffUsers.login, login));
    return row;
  }

  it('lets the board create a school admin for a chosen school, hashed with argon2id and audited', async () => {
    const response = await board.post('/staff/accounts?/create', {
      role: 'school_admin',
      login: 'Admin.Aoba2',
      displayName: '青葉 教頭',
      password: 'a long enough password',
      schoolId: String(world.otherSchool.id),
    });
    expect(response.status).toBe(200);
    expect(textOf(await response.text())).toContain('アカウント「Admin.Aoba2」を作成しました');
    const created = await accountByLogin('Admin.Aoba2');
    expect(created).toMatchObject({ role: 'school_admin', schoolId: world.otherSchool.id });
    expect(created?.passwordHash).toMatch(/^\$argon2id\$/);
    const audit = await world.db
      .select()
      .from(schema.auditEvents)
      .where(
        and(
          eq(schema.auditEvents.action, 'staff.create'),
          eq(schema.auditEvents.subjectId, String(created!.id)),
        ),
      );
    expect(audit[0]?.actorId).toBe(world.staff.board);
    expect(JSON.stringify(audit[0]?.detail)).not.toContain('a long enough password');
    await new Visitor(world.base).logIn('admin.aoba2', 'a long enough password');
  });

  it('refuses a short password, a taken login and a teacher for another school’s class, storing nothing', async () => {
    const before = (await world.db.select().from(schema.staffUsers)).length;
    const cases: [Record<string, string>, number, string][] = [
      [{ login: 'teacher.short', password: 'too short' }, 400, 'パスワードは12文字以上'],
      [{ login: 'TEACHER.WAKAKUSA', password: PASSWORD }, 409, 'すでに使われています'],
      [
        {
          login: 'teacher.elsewhere',
          password: PASSWORD,
          classId: String(world.otherClasses.get('2:1組')),
        },
        400,
        'この学校のクラスを選んでください',
      ],
      [{ login: 'x', password: PASSWORD }, 400, 'ログインIDは3〜64文字'],
      [{ login: 'teacher.role', password: PASSWORD, role: 'school_admin' }, 400, '作成できません'],
    ];
    for (const [fields, status, message] of cases) {
      const response = await admin.post('/staff/accounts?/create', {
        role: 'teacher',
        displayName: '担任 三郎',
        classId: String(world.classes.get('2:1組')),
        ...fields,
      });
      expect(response.status, fields.login).toBe(status);
      const text = textOf(await response.text());
      expect(text, fields.login).toContain(message);
      expect(text).not.toContain(fields.password);
    }
    expect(await world.db.select().from(schema.staffUsers)).toHaveLength(before);
  });

  it('lets a school admin create a teacher, reset the password (signing the teacher out) and disable the account', async () => {
    const created = await admin.post('/staff/accounts?/create', {
      role: 'teacher',
      login: 'teacher.new',
      displayName: '新任 先生',
      password: 'first password 123',
      classId: String(world.classes.get('3:2組')),
    });
    expect(created.status).toBe(200);
    const account = await accountByLogin('teacher.new');
    expect(account).toMatchObject({
      schoolId: world.school.id,
      classId: world.classes.get('3:2組'),
    });
    const newTeacher = await new Visitor(world.base).logIn('teacher.new', 'first password 123');
    expect((await newTeacher.get('/staff/tokens')).status).toBe(200);

    const reset = await admin.post('/staff/accounts?/reset', {
      staffUserId: String(account!.id),
      password: 'second password 456',
    });
    expect(reset.status).toBe(200);
    expect((await newTeacher.get('/staff/tokens')).status).toBe(303);
    await new Visitor(world.base).logIn('teacher.new', 'second password 456');

    const disabled = await admin.post('/staff/accounts?/disable', {
      staffUserId: String(account!.id),
    });
    expect(disabled.status).toBe(200);
    await expect(
      new Visitor(world.base).logIn('teacher.new', 'second password 456'),
    ).rejects.toThrow(/refused/);
    const actions = (
      await world.db
        .select({ action: schema.auditEvents.action })
        .from(schema.auditEvents)
        .where(eq(schema.auditEvents.subjectId, String(account!.id)))
    ).map((a) => a.action);
    expect(actions).toEqual(
      expect.arrayContaining(['staff.create', 'staff.password_reset', 'staff.disable']),
    );
  });

  it('does not let an admin reset their own password here', async () => {
    const response = await admin.post('/staff/accounts?/reset', {
      staffUserId: String(world.staff.admin),
      password: 'my own new password',
    });
    expect(response.status).toBe(403);
  });
});

describe('API tokens', () => {
  it('creates a token shown once, lists it, and revokes it (then the API answers 401)', async () => {
    const created = await teacher.post('/staff/tokens?/create', { name: '校内掲示板' });
    expect(created.status).toBe(200);
    const token = /data-testid="new-token">(rk_[A-Za-z0-9_-]+)</.exec(await created.text())?.[1];
    expect(token).toBeDefined();

    const me = await fetch(`${world.base}/api/v1/me`, {
      headers: { authorization: `Bearer ${token}` },
    });
    expect(me.status).toBe(200);
    expect(await me.json()).toMatchObject({ login: 'teacher.wakakusa', role: 'teacher' });

    const list = await (await teacher.get('/staff/tokens')).text();
    expect(list).toContain('校内掲示板');
    expect(list).toContain(token!.slice(0, 11));
    expect(list).not.toContain(token!);
    const [stored] = await world.db
      .select()
      .from(schema.apiTokens)
      .where(eq(schema.apiTokens.staffUserId, world.staff.teacher));
    expect(stored?.lastUsedAt).not.toBeNull();

    // Someone else cannot revoke it.
    const foreign = await admin.post('/staff/tokens?/revoke', { tokenId: String(stored!.id) });
    expect(foreign.status).toBe(404);
    expect(
      (await fetch(`${world.base}/api/v1/me`, { headers: { authorization: `Bearer ${token}` } }))
        .status,
    ).toBe(200);

    const revoked = await teacher.post('/staff/tokens?/revoke', { tokenId: String(stored!.id) });
    expect(revoked.status).toBe(200);
    const after = await fetch(`${world.base}/api/v1/me`, {
      headers: { authorization: `Bearer ${token}` },
    });
    expect(after.status).toBe(401);
  });

  it('asks for a name', async () => {
    const response = await teacher.post('/staff/tokens?/create', { name: '   ' });
    expect(response.status).toBe(400);
    expect(textOf(await response.text())).toContain('トークンの名前');
  });
});
