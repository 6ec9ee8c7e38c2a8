import { schema } from '@renraku/db';
import { hashToken } from '@renraku/shared/crypto';
import { eq, sql } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import {
  addressesOf,
  enterAuthCode,
  findRegistration,
  getPage,
  indexOf,
  issueLink,
  mailsTo,
  postForm,
  register,
  useParentsWeb,
} from './harness';

// Leaflet ①–⑤ by plain form posts: the link page, the auth code, the details, the completion
// page and mail; repeated registration, used and expired links, the code's rate limit, taken
// IDs and bad kana.

const ctx = useParentsWeb();

describe('a new registration', () => {
  it('goes from the link through the auth code and details to the completion page and mail', async () => {
    const address = 'tanaka.mother@docomo.ne.jp';
    const token = await issueLink(ctx, address);

    const choice = await getPage(ctx, `/r/${token}`);
    expect(choice.status).toBe(200);
    const choiceHtml = await choice.text();
    expect(choiceHtml).toContain('新規登録の人はこちら');
    expect(choiceHtml).toContain('登録済みの人');
    expect(choiceHtml).toContain('桐園小学校');

    const step1 = await getPage(ctx, `/r/${token}/new`);
    const step1Html = await step1.text();
    expect(step1Html).toContain('name="authCode"');

    // Lower case, full width and a hyphen are forgiven.
    const { grant, html } = await enterAuthCode(ctx, token, 'ａｂｃｄ-efgh');
    expect(grant).toBeDefined();
    for (const name of ['loginId', 'password', 'childName', 'childKana', 'grade', 'classId']) {
      expect(html).toContain(`name="${name}"`);
    }
    expect(html).toContain('autocomplete="username"');
    expect(html).toContain('autocomplete="new-password"');
    expect(html).toContain('autocomplete="name"');
    expect(html).toContain('ニックネーム');

    const { response, cookie } = await register(ctx, token, { loginId: 'Tanaka' });
    expect(response.status).toBe(303);
    expect(response.headers.get('location')).toBe('/account/registered');
    expect(cookie).toBeDefined();

    const registration = await findRegistration(ctx, 'tanaka');
    expect(registration).toMatchObject({
      schoolId: ctx.school.id,
      classId: ctx.classes.get('1:1組'),
      childName: '苫小牧 太郎',
      childKana: 'トマコマイ タロウ',
      studentId: ctx.studentId,
    });
    expect(registration!.passwordHash).toMatch(/^\$argon2id\$/);
    expect(await addressesOf(ctx, registration!.id)).toEqual([
      { blindIndex: indexOf(address), role: 'guardian', position: 1 },
    ]);
    const tokenRow = await ctx.db.query.registrationTokens.findFirst({
      where: eq(schema.registrationTokens.tokenHash, hashToken(token)),
    });
    expect(tokenRow?.usedAt).not.toBeNull();

    const done = await getPage(ctx, '/account/registered', cookie);
    const doneHtml = await done.text();
    expect(doneHtml).toContain('登録が完了しました');
    expect(doneHtml).toContain('tanaka');

    const [mail] = await mailsTo(ctx, address);
    expect(mail!.subject).toBe('【桐園小学校】登録が完了しました');
    expect(mail!.text).toContain('ログインID：tanaka');
    expect(mail!.text).toContain('http://renraku.test/login');
    expect(mail!.text).not.toContain('苫小牧 太郎');
    expect(mail!.headers.get('auto-submitted')).toBe('auto-generated');
  });

  it('is harmless when repeated from the same address: nothing new, the mail again', async () => {
    const address = 'repeat@ezweb.ne.jp';
    await register(ctx, await issueLink(ctx, address), {
      loginId: 'repeat-parent',
      childName: '白老 花子',
      childKana: 'シラオイ ハナコ',
    });
    const before = (await ctx.db.select().from(schema.registrations)).length;

    const again = await register(ctx, await issueLink(ctx, address), {
      loginId: 'another-id',
      childName: '白老 花子',
      childKana: 'しらおい はなこ',
    });
    expect(again.response.status).toBe(200);
    expect(again.cookie).toBeUndefined();
    const html = await again.response.text();
    expect(html).toContain('すでに登録されています');
    expect(html).toContain('repeat-parent');
    expect((await ctx.db.select().from(schema.registrations)).length).toBe(before);
    const mails = await mailsTo(ctx, address, 2);
    expect(mails.every((mail) => mail.text?.includes('ログインID：repeat-parent'))).toBe(true);
  });

  it('explains a used or expired link the same kind way, with a 404', async () => {
    const used = await issueLink(ctx, 'used@docomo.ne.jp');
    await register(ctx, used, {
      loginId: 'used-link',
      childKana: 'ユーズド',
      childName: '湯津 道',
    });
    const expired = await issueLink(ctx, 'expired@docomo.ne.jp');
    await ctx.db
      .update(schema.registrationTokens)
      .set({ expiresAt: sql`now() - interval '1 minute'` })
      .where(eq(schema.registrationTokens.tokenHash, hashToken(expired)));

    const bodies: string[] = [];
    for (const path of [
      `/r/${used}`,
      `/r/${used}/new`,
      `/r/${expired}`,
      `/r/${expired}/existing`,
      '/r/not-a-real-token-at-all-0000',
      "/r/'%20or%201=1--",
    ]) {
      const response = await getPage(ctx, path);
      expect(response.status, path).toBe(404);
      const html = await response.text();
      expect(html).toContain('もう一度');
      expect(html).toContain('空メール');
      bodies.push(html.replace(/\/r\/[^"]*/g, ''));
    }
    // A post to a used link changes nothing and says the same.
    const post = await enterAuthCode(ctx, used);
    expect(post.response.status).toBe(404);
    expect(post.grant).toBeUndefined();
  });

  it('refuses a wrong auth code clearly and locks the link after five', async () => {
    const token = await issueLink(ctx, 'guesser@docomo.ne.jp');
    for (let attempt = 0; attempt < 5; attempt += 1) {
      const wrong = await enterAuthCode(ctx, token, `WRONG${attempt}XX`);
      expect(wrong.response.status).toBe(400);
      expect(wrong.html).toContain('認証コードが違います');
      expect(wrong.grant).toBeUndefined();
    }
    const locked = await enterAuthCode(ctx, token, 'ABCDEFGH');
    expect(locked.response.status).toBe(429);
    expect(locked.html).toContain('しばらく入力できません');
    expect(locked.grant).toBeUndefined();
    // Another parent's link is not affected.
    const other = await enterAuthCode(ctx, await issueLink(ctx, 'other@docomo.ne.jp'));
    expect(other.grant).toBeDefined();
  });

  it('accepts a class code for that class only, and refuses a forged grant', async () => {
    const classId = ctx.classes.get('2:2組')!;
    await ctx.db
      .update(schema.classes)
      .set({ authCode: 'KLMNPQRS' })
      .where(eq(schema.classes.id, classId));
    const token = await issueLink(ctx, 'classcode@softbank.ne.jp');
    const { grant, html } = await enterAuthCode(ctx, token, 'klmnpqrs');
    expect(grant).toBe(`class-${classId}.${grant!.split('.')[1]}`);
    expect(html).not.toContain(`value="${ctx.classes.get('1:1組')}"`);

    const forged = await postForm(ctx, `/r/${token}/new?/register`, {
      grant: 'school.AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA',
      loginId: 'forger',
      password: 'kaigara-hotate-77',
      childName: '偽 太郎',
      childKana: 'ニセ タロウ',
      grade: '1',
      classId: String(ctx.classes.get('1:1組')),
    });
    expect(forged.status).toBe(400);
    expect(await findRegistration(ctx, 'forger')).toBeUndefined();

    const other = await postForm(ctx, `/r/${token}/new?/register`, {
      grant: grant!,
      loginId: 'wrong-class',
      password: 'kaigara-hotate-77',
      childName: '級 太郎',
      childKana: 'キュウ タロウ',
      grade: '1',
      classId: String(ctx.classes.get('1:1組')),
    });
    expect(other.status).toBe(400);
    expect(await other.text()).toContain('学年を選んでください');
    expect(await findRegistration(ctx, 'wrong-class')).toBeUndefined();
  });

  it('answers a taken ID with free suggestions and stores nothing', async () => {
    await register(ctx, await issueLink(ctx, 'sato1@docomo.ne.jp'), {
      loginId: 'sato',
      childName: '佐藤 一郎',
      childKana: 'サトウ イチロウ',
    });
    await register(ctx, await issueLink(ctx, 'sato2@docomo.ne.jp'), {
      loginId: 'sato2025',
      childName: '佐藤 二郎',
      childKana: 'サトウ ジロウ',
    });
    const before = (await ctx.db.select().from(schema.registrations)).length;
    const { response } = await register(ctx, await issueLink(ctx, 'sato3@au.com'), {
      loginId: 'SATO',
      childName: '佐藤 三郎',
      childKana: 'サトウ サブロウ',
      grade: '2',
      classId: String(ctx.classes.get('2:1組')),
    });
    expect(response.status).toBe(400);
    const html = await response.text();
    expect(html).toContain('このログインIDはすでに使われています');
    const suggestions = [...html.matchAll(/<code[^>]*>([^<]+)<\/code>/g)].map((m) => m[1]);
    // Year of entry of a grade-2 child in school year 2025 is 2024; and the class.
    expect(suggestions).toContain('sato2024');
    expect(suggestions).toContain('sato-2-1');
    expect(suggestions).not.toContain('sato2025');
    expect((await ctx.db.select().from(schema.registrations)).length).toBe(before);
    // Nothing about the other registration is revealed.
    expect(html).not.toContain('佐藤 一郎');
    expect(html).not.toContain('サトウ イチロウ');
  });

  it('refuses bad kana, a common password and a password equal to the ID, storing nothing', async () => {
    const token = await issueLink(ctx, 'badkana@docomo.ne.jp');
    const { response } = await register(ctx, token, {
      loginId: 'badkana',
      childKana: '山田たろう',
      password: 'Password1',
    });
    expect(response.status).toBe(400);
    const html = await response.text();
    expect(html).toContain('カナはカタカナまたはひらがなで入力してください');
    expect(html).toContain('よく使われていて危険です');
    expect(html).not.toContain('Password1');
    const sameAsId = await register(ctx, token, { loginId: 'samesame1', password: 'SameSame1' });
    expect(await sameAsId.response.text()).toContain('ログインIDと同じパスワードは使えません');
    expect(await findRegistration(ctx, 'badkana')).toBeUndefined();
    expect(await findRegistration(ctx, 'samesame1')).toBeUndefined();
    // The link still works after refused forms.
    expect((await getPage(ctx, `/r/${token}`)).status).toBe(200);
  });
});
