import { createMessage, listCallListHouseholds, schema } from '@renraku/db';
import { and, eq } from 'drizzle-orm';
import { beforeAll, describe, expect, it } from 'vitest';
import { createStudent } from '../roster/fixtures';
import { createLoginStaff, STAFF_PASSWORD } from '../support/staff';
import {
  findRegistration,
  getPage,
  issueLink,
  openDetailsForm,
  postForm,
  register,
  useParentsWeb,
  type ParentsContext,
} from './harness';

// Registration that reaches the right class (issue 12 item 5). The roster has 苫小牧 太郎 in
// 1年1組; a parent who picks 1年2組 is told that no roster child matches and may correct it or
// register as entered; an unmatched registration gets the chosen class's mail while the roster
// household stays on the call list; staff see the unmatched registrations with roster
// candidates and match or move them; the parent corrects the class from /account.

const ctx = useParentsWeb();

const UNMATCHED_NOTICE = '名簿に一致するお子さまが見つかりません';

/** A school year the fixtures' classes (2025) belong to, for fan-outs. */
const IN_SCHOOL_YEAR = new Date('2025-10-01T09:00:00+09:00');

async function staffLogin(context: ParentsContext, login: string): Promise<string> {
  const response = await postForm(context, '/staff/login?/login', {
    login,
    password: STAFF_PASSWORD,
  });
  const cookie = response.headers
    .getSetCookie()
    .find((c) => c.startsWith('renraku_staff='))
    ?.split(';')[0];
  if (response.status !== 303 || !cookie) throw new Error(`login ${login} refused`);
  return cookie;
}

const staff = { admin: '', otherAdmin: '', board: '', teacher: '' };
let sisterId = 0;
let mukawaId = 0;

beforeAll(async () => {
  const common = { districtId: ctx.districtId, displayName: '担当' };
  await createLoginStaff(ctx.db, {
    ...common,
    login: 'match.admin',
    role: 'school_admin',
    schoolId: ctx.school.id,
  });
  await createLoginStaff(ctx.db, {
    ...common,
    login: 'match.other',
    role: 'school_admin',
    schoolId: ctx.otherSchool.id,
  });
  await createLoginStaff(ctx.db, { ...common, login: 'match.board', role: 'board' });
  await createLoginStaff(ctx.db, {
    ...common,
    login: 'match.teacher',
    role: 'teacher',
    schoolId: ctx.school.id,
    classId: ctx.classes.get('1:2組')!,
  });
  staff.admin = await staffLogin(ctx, 'match.admin');
  staff.otherAdmin = await staffLogin(ctx, 'match.other');
  staff.board = await staffLogin(ctx, 'match.board');
  staff.teacher = await staffLogin(ctx, 'match.teacher');
  sisterId = (
    await createStudent(ctx.db, ctx.school, {
      classId: ctx.classes.get('2:1組')!,
      rosterNumber: '201',
      name: '白老 花子',
      kana: 'シラオイ ハナコ',
    })
  ).id;
  mukawaId = (
    await createStudent(ctx.db, ctx.school, {
      classId: ctx.classes.get('1:1組')!,
      rosterNumber: '102',
      name: '鵡川 四郎',
      kana: 'ムカワ シロウ',
    })
  ).id;
});

async function detailsForm(address: string) {
  return (await openDetailsForm(ctx, await issueLink(ctx, address))).post;
}

/** An action of the staff list of unmatched registrations, posted as `cookie`'s staff member. */
function staffAction(action: 'match' | 'move', fields: Record<string, string>, cookie: string) {
  return postForm(ctx, `/staff/school/unmatched?/${action}`, fields, cookie);
}

/** The correction form of /account/child, posted with the roster child's details by default. */
function correct(cookie: string | undefined, fields: Record<string, string>) {
  return postForm(
    ctx,
    '/account/child?/correct',
    {
      grade: '1',
      classId: String(ctx.classes.get('1:1組')),
      childName: '苫小牧 太郎',
      childKana: 'トマコマイ タロウ',
      ...fields,
    },
    cookie,
  );
}

describe('registering a child the roster does not have in the chosen class', () => {
  it('says so before completing, keeps the form, and registers matched once corrected', async () => {
    const post = await detailsForm('wrong-class@docomo.ne.jp');
    const wrong = await post({ loginId: 'wrong-class', classId: String(ctx.classes.get('1:2組')) });
    expect(wrong.status).toBe(400);
    const html = await wrong.text();
    expect(html).toContain(UNMATCHED_NOTICE);
    expect(html).toContain('name="confirmUnmatched"');
    expect(html).toMatch(/name="loginId"[^>]*value="wrong-class"/);
    // Nothing about the roster is told: not where the child is, not who is in the class.
    expect(html).not.toContain('白老');
    expect(await findRegistration(ctx, 'wrong-class')).toBeUndefined();

    const corrected = await post({ loginId: 'wrong-class' });
    expect(corrected.status).toBe(303);
    expect(await findRegistration(ctx, 'wrong-class')).toMatchObject({
      classId: ctx.classes.get('1:1組'),
      studentId: ctx.studentId,
    });
  });

  it('registers as entered when the parent confirms, clearly marked unmatched', async () => {
    const post = await detailsForm('confirmed@docomo.ne.jp');
    const response = await post({
      loginId: 'confirmed-parent',
      childName: '登別 次郎',
      childKana: 'ノボリベツ ジロウ',
      classId: String(ctx.classes.get('1:2組')),
      confirmUnmatched: 'yes',
    });
    expect(response.status).toBe(303);
    const registration = await findRegistration(ctx, 'confirmed-parent');
    expect(registration).toMatchObject({ classId: ctx.classes.get('1:2組'), studentId: null });
    const cookie = response.headers.getSetCookie()[0]!.split(';')[0]!;
    const done = await (await getPage(ctx, '/account/registered', cookie)).text();
    expect(done).toContain('学校の名簿と一致していません');
    const audit = await ctx.db
      .select()
      .from(schema.auditEvents)
      .where(
        and(
          eq(schema.auditEvents.action, 'parent.register'),
          eq(schema.auditEvents.subjectId, String(registration!.id)),
        ),
      );
    expect(audit[0]?.detail).toMatchObject({ matched: false });
  });

  it('shows the notice with other errors in the same round trip, and refuses a bad confirmation value', async () => {
    const post = await detailsForm('both@docomo.ne.jp');
    const response = await post({
      loginId: 'x',
      classId: String(ctx.classes.get('1:2組')),
      confirmUnmatched: 'maybe',
    });
    expect(response.status).toBe(400);
    const html = await response.text();
    expect(html).toContain(UNMATCHED_NOTICE);
    expect(html).toContain('ログインIDは、半角英数字');
    const again = await post({
      loginId: 'maybe-parent',
      classId: String(ctx.classes.get('1:2組')),
      confirmUnmatched: 'maybe',
    });
    expect(again.status).toBe(400);
    expect(await findRegistration(ctx, 'maybe-parent')).toBeUndefined();
  });
  it('counts roster answers like taken IDs: the 6th unmatched answer from one link is refused', async () => {
    const post = await detailsForm('roster-prober@docomo.ne.jp');
    for (const [index, name] of ['一', '二', '三', '四', '五'].entries()) {
      const answer = await post({
        loginId: 'roster-prober',
        childName: `調査 ${name}郎`,
        childKana: `チョウサ ${'ア'.repeat(index + 1)}`,
      });
      expect(answer.status, name).toBe(400);
      expect(await answer.text(), name).toContain(UNMATCHED_NOTICE);
    }
    const sixth = await post({
      loginId: 'roster-prober',
      childName: '白老 花子',
      childKana: 'シラオイ ハナコ',
      grade: '2',
      classId: String(ctx.classes.get('2:1組')),
    });
    expect(sixth.status).toBe(429);
    const html = await sixth.text();
    expect(html).toContain('入力の確認が続いたため');
    expect(html).not.toContain(UNMATCHED_NOTICE);
    expect(await findRegistration(ctx, 'roster-prober')).toBeUndefined();
  });
});

describe('mail and the call list for an unmatched registration', () => {
  it("gets the chosen class's mail; the roster household of its real class stays on the call list", async () => {
    const { response } = await register(ctx, await issueLink(ctx, 'target@docomo.ne.jp'), {
      loginId: 'target-parent',
      childName: '鵡川 四郎',
      childKana: 'ムカワ シロウ',
      classId: String(ctx.classes.get('1:2組')),
    });
    expect(response.status).toBe(303);
    const registration = (await findRegistration(ctx, 'target-parent'))!;
    expect(registration.studentId).toBeNull();
    const [address] = await ctx.db
      .select()
      .from(schema.addresses)
      .where(eq(schema.addresses.registrationId, registration.id));

    const send = async (classKey: string) => {
      const { id } = await createMessage(
        ctx.db,
        {
          districtId: ctx.districtId,
          schoolId: ctx.school.id,
          authorId: null,
          category: 'emergency_contact',
          subject: `連絡 ${classKey}`,
          body: '本文',
          target: { kind: 'classes', classIds: [ctx.classes.get(classKey)!] },
          scheduledAt: null,
          idempotencyKey: null,
        },
        IN_SCHOOL_YEAR,
      );
      const deliveries = await ctx.db
        .select()
        .from(schema.deliveries)
        .where(eq(schema.deliveries.messageId, id));
      return { id, deliveries };
    };

    const chosen = await send('1:2組');
    expect(chosen.deliveries.map((d) => d.addressId)).toContain(address!.id);

    const real = await send('1:1組');
    expect(real.deliveries.map((d) => d.addressId)).not.toContain(address!.id);
    const callList = await listCallListHouseholds(ctx.db, real.id);
    const children = callList.flatMap((household) => household.children.map((c) => c.studentId));
    expect(children).toContain(mukawaId);
  });
});

describe('the staff list of unmatched registrations', () => {
  it('lists name, kana, chosen class and roster candidates to the school admin, never an address', async () => {
    await register(ctx, await issueLink(ctx, 'sister@docomo.ne.jp'), {
      loginId: 'sister-parent',
      childName: '白老 花子',
      childKana: 'シラオイ ハナコ',
      grade: '1',
      classId: String(ctx.classes.get('1:1組')),
    });
    const page = await getPage(ctx, '/staff/school/unmatched', staff.admin);
    expect(page.status).toBe(200);
    const html = await page.text();
    expect(html).toContain('名簿と一致しない登録');
    const registration = (await findRegistration(ctx, 'sister-parent'))!;
    const row = new RegExp(`<tr[^>]*data-registration="${registration.id}"[\\s\\S]*?</tr>`).exec(
      html,
    );
    expect(row).not.toBeNull();
    expect(row![0]).toContain('白老 花子');
    expect(row![0]).toContain('シラオイ ハナコ');
    expect(row![0]).toContain('1年 1組');
    // The candidate: the same name and kana, in 2年1組.
    expect(row![0]).toContain('2年 1組');
    expect(row![0]).toContain(`value="${sisterId}"`);
    expect(html).not.toContain('sister@docomo.ne.jp');
    expect(html).not.toContain('docomo.ne.jp');
  });

  it('matches a registration to a roster student: it follows the student into that class, audited', async () => {
    const registration = (await findRegistration(ctx, 'sister-parent'))!;
    const response = await staffAction(
      'match',
      { registrationId: String(registration.id), studentId: String(sisterId) },
      staff.admin,
    );
    expect(response.status).toBe(200);
    expect(await response.text()).toContain('名簿の児童生徒と結びつけました');
    expect(await findRegistration(ctx, 'sister-parent')).toMatchObject({
      studentId: sisterId,
      classId: ctx.classes.get('2:1組'),
    });
    const [audit] = await ctx.db
      .select()
      .from(schema.auditEvents)
      .where(eq(schema.auditEvents.action, 'registration.match'));
    expect(audit).toMatchObject({ actorType: 'staff', subjectId: String(registration.id) });
    expect(JSON.stringify(audit!.detail)).not.toContain('白老');
    const page = await (await getPage(ctx, '/staff/school/unmatched', staff.admin)).text();
    expect(page).not.toContain(`data-registration="${registration.id}"`);
  });

  it('moves a registration to another class and matches it there when the roster has it', async () => {
    const { response } = await register(ctx, await issueLink(ctx, 'mover@docomo.ne.jp'), {
      loginId: 'mover-parent',
      classId: String(ctx.classes.get('1:2組')),
    });
    expect(response.status).toBe(303);
    const registration = (await findRegistration(ctx, 'mover-parent'))!;
    const moved = await staffAction(
      'move',
      { registrationId: String(registration.id), classId: String(ctx.classes.get('1:1組')) },
      staff.admin,
    );
    expect(moved.status).toBe(200);
    expect(await findRegistration(ctx, 'mover-parent')).toMatchObject({
      classId: ctx.classes.get('1:1組'),
      studentId: ctx.studentId,
    });
    const audits = await ctx.db
      .select()
      .from(schema.auditEvents)
      .where(eq(schema.auditEvents.action, 'registration.move'));
    expect(audits.map((a) => a.subjectId)).toContain(String(registration.id));
  });

  it('refuses bad input, teachers and other schools, changing nothing; the board may act', async () => {
    const { response } = await register(ctx, await issueLink(ctx, 'guarded@docomo.ne.jp'), {
      loginId: 'guarded-parent',
      childName: '厚真 三郎',
      childKana: 'アツマ サブロウ',
      classId: String(ctx.classes.get('1:2組')),
    });
    expect(response.status).toBe(303);
    const registration = (await findRegistration(ctx, 'guarded-parent'))!;
    const id = String(registration.id);
    const otherClass = await ctx.db
      .select()
      .from(schema.classes)
      .where(eq(schema.classes.schoolId, ctx.otherSchool.id));

    expect((await getPage(ctx, '/staff/school/unmatched', staff.teacher)).status).toBe(403);
    const teacher = await staffAction(
      'move',
      { registrationId: id, classId: String(ctx.classes.get('2:2組')) },
      staff.teacher,
    );
    expect(teacher.status).toBe(403);
    const outsider = await staffAction(
      'move',
      { registrationId: id, classId: String(otherClass[0]!.id) },
      staff.otherAdmin,
    );
    expect(outsider.status).toBe(404);
    const foreignClass = await staffAction(
      'move',
      { registrationId: id, classId: String(otherClass[0]!.id) },
      staff.admin,
    );
    expect(foreignClass.status).toBe(400);
    for (const fields of [
      { registrationId: 'abc', studentId: String(sisterId) },
      { registrationId: id, studentId: '-1' },
      { registrationId: id, studentId: '99999999' },
    ]) {
      const bad = await staffAction('match', fields, staff.admin);
      expect([400, 404], JSON.stringify(fields)).toContain(bad.status);
    }
    expect(await findRegistration(ctx, 'guarded-parent')).toMatchObject({
      classId: ctx.classes.get('1:2組'),
      studentId: null,
    });

    const boardPage = await getPage(
      ctx,
      `/staff/school/unmatched?school=${ctx.school.id}`,
      staff.board,
    );
    expect(boardPage.status).toBe(200);
    expect(await boardPage.text()).toContain('厚真 三郎');
    const byBoard = await staffAction(
      'move',
      { registrationId: id, classId: String(ctx.classes.get('2:2組')) },
      staff.board,
    );
    expect(byBoard.status).toBe(200);
    expect((await findRegistration(ctx, 'guarded-parent'))?.classId).toBe(ctx.classes.get('2:2組'));
  });
});

describe("the parent's correction from /account", () => {
  it('corrects grade and class of an unmatched registration and matches it again', async () => {
    const { response, cookie } = await register(
      ctx,
      await issueLink(ctx, 'self-fix@docomo.ne.jp'),
      {
        loginId: 'self-fix',
        classId: String(ctx.classes.get('1:2組')),
      },
    );
    expect(response.status).toBe(303);
    const account = await (await getPage(ctx, '/account', cookie)).text();
    expect(account).toContain('学校の名簿と一致していません');
    expect(account).toMatch(/href="(\.)?\/account\/child"/);

    const badGrade = await correct(cookie, { grade: '2' });
    expect(badGrade.status).toBe(400);
    expect(await badGrade.text()).toContain('クラスを選んでください');
    const badKana = await correct(cookie, { childKana: 'tomakomai' });
    expect(badKana.status).toBe(400);
    expect((await findRegistration(ctx, 'self-fix'))?.classId).toBe(ctx.classes.get('1:2組'));

    const fixed = await correct(cookie, { childKana: 'とまこまい たろう' });
    expect(fixed.status).toBe(200);
    expect(await fixed.text()).toContain('学校の名簿と一致しました');
    expect(await findRegistration(ctx, 'self-fix')).toMatchObject({
      classId: ctx.classes.get('1:1組'),
      studentId: ctx.studentId,
    });
    const audits = await ctx.db
      .select()
      .from(schema.auditEvents)
      .where(eq(schema.auditEvents.action, 'parent.correct_child'));
    expect(audits).toHaveLength(1);

    // Matched now: the roster decides the class; the form is not offered and a post is refused.
    const page = await (await getPage(ctx, '/account/child', cookie)).text();
    expect(page).toContain('学校の名簿と一致しています');
    expect(page).not.toContain('name="classId"');
    const refused = await correct(cookie, { classId: String(ctx.classes.get('1:2組')) });
    expect(refused.status).toBe(409);
    expect((await findRegistration(ctx, 'self-fix'))?.classId).toBe(ctx.classes.get('1:1組'));
  });

  it('needs a parent session', async () => {
    const anonymous = await correct(undefined, {});
    expect(anonymous.status).toBe(303);
  });
});
