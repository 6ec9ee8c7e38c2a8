import { schema } from '@renraku/db';
import { eq } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import {
  addressesOf,
  findRegistration,
  getPage,
  indexOf,
  issueConfirmation,
  issueLink,
  logIn,
  mailsTo,
  PASSWORD,
  postForm,
  register,
  useParentsWeb,
  type ParentsContext,
} from './harness';

// The parent's account: login without enumeration, the 「登録済みの人」 path (second, third and a
// refused fourth address), the add-address mailbox and its confirmation replacing an address,
// removal, a sibling, password change and reset, and withdrawal.

const ctx = useParentsWeb();

async function registered(context: ParentsContext, loginId: string, address: string) {
  const { cookie } = await register(context, await issueLink(context, address), {
    loginId,
    childName: '登別 次郎',
    childKana: 'ノボリベツ ジロウ',
    grade: '2',
    classId: String(context.classes.get('2:1組')),
  });
  const registration = await findRegistration(context, loginId);
  return { cookie: cookie!, id: registration!.id };
}

describe('login', () => {
  it('answers an unknown ID and a wrong password alike, and logs in with a new session id', async () => {
    await registered(ctx, 'login-parent', 'login@docomo.ne.jp');
    const unknown = await logIn(ctx, 'nobody-here', PASSWORD);
    const wrong = await logIn(ctx, 'login-parent', 'not-the-password');
    expect(unknown.response.status).toBe(400);
    expect(wrong.response.status).toBe(400);
    const strip = (html: string) => html.replace(/nobody-here|login-parent/g, 'ID');
    expect(strip(await unknown.response.text())).toBe(strip(await wrong.response.text()));
    expect(unknown.cookie).toBeUndefined();

    const first = await logIn(ctx, 'LOGIN-PARENT');
    expect(first.response.status).toBe(303);
    expect(first.response.headers.get('location')).toBe('/account');
    const header = first.response.headers
      .getSetCookie()
      .find((c) => c.startsWith('renraku_parent='));
    expect(header?.toLowerCase()).toContain('httponly');
    expect(header?.toLowerCase()).toContain('samesite=lax');
    const second = await postForm(
      ctx,
      '/account/login?/login',
      { loginId: 'login-parent', password: PASSWORD },
      first.cookie,
    );
    expect(second.headers.get('location')).toBe('/account');
    // A session id held before login is never kept: the old one no longer works.
    const secondCookie = second.headers
      .getSetCookie()
      .find((c) => c.startsWith('renraku_parent='))
      ?.split(';')[0];
    expect(secondCookie).toBeDefined();
    expect(secondCookie).not.toBe(first.cookie);
    expect((await getPage(ctx, '/account', first.cookie)).status).toBe(303);
    expect((await getPage(ctx, '/account', secondCookie)).status).toBe(200);
  });

  it('sends /login to the parent login and /account to login without a session', async () => {
    expect((await getPage(ctx, '/login')).headers.get('location')).toBe('/account/login');
    expect((await getPage(ctx, '/account')).headers.get('location')).toMatch(/^\/account\/login/);
  });

  it('locks a login ID after ten failures', async () => {
    await registered(ctx, 'limited-parent', 'limited@docomo.ne.jp');
    for (let attempt = 0; attempt < 10; attempt += 1) {
      expect((await logIn(ctx, 'limited-parent', `wrong-${attempt}-pass`)).response.status).toBe(
        400,
      );
    }
    const locked = await logIn(ctx, 'limited-parent');
    expect(locked.response.status).toBe(429);
    expect(await locked.response.text()).toContain('しばらくログインできません');
  });
});

describe('addresses', () => {
  it('adds a second and third address by logging in from a link, and refuses a fourth', async () => {
    const { cookie, id } = await registered(ctx, 'three-addresses', 'mother@docomo.ne.jp');
    const attach = async (address: string, role: string) => {
      const token = await issueLink(ctx, address);
      expect(await (await getPage(ctx, `/r/${token}/existing`)).text()).toContain('name="loginId"');
      return postForm(ctx, `/r/${token}/existing?/attach`, {
        loginId: 'three-addresses',
        password: PASSWORD,
        role,
      });
    };
    // The child's address may come second in time; it still ends up after the guardians.
    const child = 'child@ezweb.ne.jp';
    expect(await (await attach(child, 'child')).text()).toContain('メールアドレスを追加しました');
    const second = await attach('father@au.com', 'guardian');
    expect(second.status).toBe(200);
    expect(await second.text()).toContain('メールアドレスを追加しました');
    const again = await attach('father@au.com', 'guardian');
    expect(await again.text()).toContain('このメールアドレスはすでに登録されています');
    const fourth = await attach('grandma@softbank.ne.jp', 'guardian');
    expect(fourth.status).toBe(409);
    expect(await fourth.text()).toContain('3つまで');
    expect(await addressesOf(ctx, id)).toEqual([
      { blindIndex: indexOf('mother@docomo.ne.jp'), role: 'guardian', position: 1 },
      { blindIndex: indexOf('father@au.com'), role: 'guardian', position: 2 },
      { blindIndex: indexOf(child), role: 'child', position: 3 },
    ]);

    // The account shows them masked, never in full.
    const page = await (await getPage(ctx, '/account', cookie)).text();
    expect(page).toContain('m***@docomo.ne.jp');
    expect(page).toContain('f***@au.com');
    expect(page).not.toContain('mother@docomo.ne.jp');
    expect(page).not.toContain('father@au.com');
  });

  it('opens an add-address mailbox and replaces an address from its confirmation', async () => {
    const { cookie, id } = await registered(ctx, 'new-phone', 'old.phone@docomo.ne.jp');
    await postForm(ctx, `/r/${await issueLink(ctx, 'spouse@au.com')}/existing?/attach`, {
      loginId: 'new-phone',
      password: PASSWORD,
      role: 'guardian',
    });
    const opened = await postForm(ctx, '/account/addresses/add?/open', {}, cookie);
    expect(opened.status).toBe(200);
    const html = await opened.text();
    const mailbox = /mailto:(add-[0-9a-f]+@renraku\.test)/.exec(html)?.[1];
    expect(mailbox).toBeDefined();

    // The inbound server answers the empty mail from the new phone with this link.
    const token = await issueConfirmation(ctx, id, 'new.phone@docomo.ne.jp');
    const confirm = await (await getPage(ctx, `/account/addresses/confirm/${token}`)).text();
    expect(confirm).toContain('o***@docomo.ne.jp');
    expect(confirm).not.toContain('old.phone@');
    const [oldAddress] = await ctx.db
      .select({ id: schema.addresses.id })
      .from(schema.addresses)
      .where(eq(schema.addresses.blindIndex, indexOf('old.phone@docomo.ne.jp')));
    // Opened on the new phone, without a session.
    const done = await postForm(ctx, `/account/addresses/confirm/${token}?/confirm`, {
      role: 'guardian',
      replace: String(oldAddress!.id),
    });
    expect(done.status).toBe(200);
    expect(await done.text()).toContain('メールアドレスを変更しました');
    expect((await addressesOf(ctx, id)).map((a) => a.blindIndex)).toEqual([
      indexOf('spouse@au.com'),
      indexOf('new.phone@docomo.ne.jp'),
    ]);
    // The link works once.
    expect((await getPage(ctx, `/account/addresses/confirm/${token}`)).status).toBe(404);
    // A mailbox token (no address yet) never opens the confirmation page.
    expect(
      (await getPage(ctx, `/account/addresses/confirm/${mailbox!.slice(4, -13)}`)).status,
    ).toBe(404);
  });

  it('removes an address but never the last one', async () => {
    const { cookie, id } = await registered(ctx, 'remover', 'remove.me@docomo.ne.jp');
    const rows = async () =>
      ctx.db.select().from(schema.addresses).where(eq(schema.addresses.registrationId, id));
    const [only] = await rows();
    const last = await postForm(ctx, '/account?/remove', { addressId: String(only!.id) }, cookie);
    expect(last.status).toBe(409);
    expect(await last.text()).toContain('最後のアドレスは削除できません');
    expect(await rows()).toHaveLength(1);
    // The only guardian's address cannot go while the child's remains.
    await postForm(ctx, `/r/${await issueLink(ctx, 'kid@ezweb.ne.jp')}/existing?/attach`, {
      loginId: 'remover',
      password: PASSWORD,
      role: 'child',
    });
    const guardian = await postForm(
      ctx,
      '/account?/remove',
      { addressId: String(only!.id) },
      cookie,
    );
    expect(guardian.status).toBe(409);
    expect(await guardian.text()).toContain('保護者のアドレスが1つは必要です');
    expect(await rows()).toHaveLength(2);
    // Someone else's address id changes nothing.
    const other = await postForm(ctx, '/account?/remove', { addressId: '1' }, cookie);
    expect(other.status).toBe(409);
    expect(await rows()).toHaveLength(2);
  });
});

describe('password', () => {
  it('changes with the current password, and resets through a mailed link', async () => {
    const { cookie } = await registered(ctx, 'forgetful', 'forgetful@docomo.ne.jp');
    const wrongCurrent = await postForm(
      ctx,
      '/account/password?/change',
      { currentPassword: 'nope-nope-nope', password: 'hokki-gai-2026' },
      cookie,
    );
    expect(await wrongCurrent.text()).toContain('今のパスワードが違います');
    const changed = await postForm(
      ctx,
      '/account/password?/change',
      { currentPassword: PASSWORD, password: 'hokki-gai-2026' },
      cookie,
    );
    expect(changed.headers.get('location')).toBe('/account?done=password');
    expect((await logIn(ctx, 'forgetful', 'hokki-gai-2026')).cookie).toBeDefined();

    const unknown = await postForm(ctx, '/account/forgot?/request', { loginId: 'no-such-parent' });
    const known = await postForm(ctx, '/account/forgot?/request', { loginId: 'Forgetful' });
    expect(unknown.status).toBe(known.status);
    expect(await unknown.text()).toBe(await known.text());

    const [mail] = await mailsTo(ctx, 'forgetful@docomo.ne.jp', 2).then((mails) =>
      mails.filter((m) => m.subject === 'パスワード再設定のご案内'),
    );
    const token = /\/account\/reset\/([A-Za-z0-9_-]+)/.exec(mail!.text ?? '')?.[1];
    expect(token).toBeDefined();
    const page = await (await getPage(ctx, `/account/reset/${token}`)).text();
    expect(page).toContain('forgetful');
    const weak = await postForm(ctx, `/account/reset/${token}?/reset`, { password: 'short' });
    expect(await weak.text()).toContain('8文字以上');
    const reset = await postForm(ctx, `/account/reset/${token}?/reset`, {
      password: 'tsubugai-99',
    });
    expect(reset.headers.get('location')).toBe('/account/login?done=reset');
    // Every session of the account ended; the old password is gone; the link is used.
    expect((await getPage(ctx, '/account', cookie)).status).toBe(303);
    expect((await logIn(ctx, 'forgetful', 'hokki-gai-2026')).cookie).toBeUndefined();
    expect((await logIn(ctx, 'forgetful', 'tsubugai-99')).cookie).toBeDefined();
    expect((await getPage(ctx, `/account/reset/${token}`)).status).toBe(404);
  });
});

describe('siblings and withdrawal', () => {
  it('registers a sibling under a new ID at another school of the district', async () => {
    const { cookie, id } = await registered(ctx, 'big-sister', 'family@docomo.ne.jp');
    const started = await postForm(
      ctx,
      '/account/sibling?/start',
      { schoolId: String(ctx.otherSchool.id) },
      cookie,
    );
    expect(started.status).toBe(303);
    const token = /^\/r\/([A-Za-z0-9_-]+)\/new$/.exec(started.headers.get('location') ?? '')?.[1];
    expect(token).toBeDefined();
    const [otherClass] = await ctx.db
      .select()
      .from(schema.classes)
      .where(eq(schema.classes.schoolId, ctx.otherSchool.id));
    const { response } = await register(ctx, token!, {
      loginId: 'little-brother',
      childName: '登別 三郎',
      childKana: 'ノボリベツ サブロウ',
      grade: '1',
      classId: String(otherClass!.id),
    });
    expect(response.status).toBe(303);
    const sibling = await findRegistration(ctx, 'little-brother');
    expect(sibling?.schoolId).toBe(ctx.otherSchool.id);
    expect(sibling?.id).not.toBe(id);
    expect((await addressesOf(ctx, sibling!.id))[0]?.blindIndex).toBe(
      indexOf('family@docomo.ne.jp'),
    );
    // A school of another district cannot be chosen.
    const refused = await postForm(ctx, '/account/sibling?/start', { schoolId: '999999' }, cookie);
    expect(refused.status).toBe(400);
  });

  it('withdraws: the registration, its addresses and sessions are deleted, the audit keeps no personal data', async () => {
    const { cookie, id } = await registered(ctx, 'leaving', 'leaving@docomo.ne.jp');
    const page = await getPage(ctx, '/account/withdraw', cookie);
    expect(await page.text()).toContain('元に戻すことはできません');
    const done = await postForm(ctx, '/account/withdraw?/withdraw', {}, cookie);
    expect(done.headers.get('location')).toBe('/account/login?done=withdrawn');
    expect(await findRegistration(ctx, 'leaving')).toBeUndefined();
    expect(
      await ctx.db.select().from(schema.addresses).where(eq(schema.addresses.registrationId, id)),
    ).toEqual([]);
    expect(
      await ctx.db.select().from(schema.sessions).where(eq(schema.sessions.registrationId, id)),
    ).toEqual([]);
    expect((await getPage(ctx, '/account', cookie)).status).toBe(303);
    const audits = await ctx.db
      .select()
      .from(schema.auditEvents)
      .where(eq(schema.auditEvents.action, 'parent.withdraw'));
    expect(audits).toHaveLength(1);
    const text = JSON.stringify(audits);
    for (const personal of ['leaving', '登別', 'ノボリベツ', 'docomo'])
      expect(text).not.toContain(personal);
  });
});

describe('refusals in the reader’s language', () => {
  const english = 'renraku_lang=en';
  const withLanguage = (cookie: string) => `${cookie}; ${english}`;

  it('words a wrong login, a wrong current password and a bad child form in English', async () => {
    const { cookie } = await registered(ctx, 'english-reader', 'english@docomo.ne.jp');
    const login = await postForm(
      ctx,
      '/account/login?/login',
      { loginId: 'english-reader', password: 'not-the-password' },
      english,
    );
    expect(login.status).toBe(400);
    const loginPage = await login.text();
    expect(loginPage).toContain('The login ID or password is not right.');
    expect(loginPage).not.toContain('ログインIDまたはパスワードが違います');

    const change = await postForm(
      ctx,
      '/account/password?/change',
      { currentPassword: 'nope-nope-nope', password: 'hokki-gai-2026' },
      withLanguage(cookie),
    );
    expect(change.status).toBe(400);
    expect(await change.text()).toContain('The current password is not right.');

    const child = await postForm(
      ctx,
      '/account/child?/correct',
      { childName: '', childKana: 'abc', grade: '9', classId: 'x' },
      withLanguage(cookie),
    );
    expect(child.status).toBe(400);
    const childPage = await child.text();
    expect(childPage).toContain('Enter the child’s name.');
    expect(childPage).not.toContain('お子さまの氏名を入力してください');
  });

  it('words the same refusals in Japanese by default', async () => {
    const login = await postForm(ctx, '/account/login?/login', {
      loginId: 'english-reader',
      password: 'still-not-it',
    });
    expect(login.status).toBe(400);
    expect(await login.text()).toContain('ログインIDまたはパスワードが違います');
  });
});
