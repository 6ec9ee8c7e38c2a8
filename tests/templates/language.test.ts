import { count, eq } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { schema } from '@renraku/db';
import {
  findRegistration,
  getPage,
  issueLink,
  openDetailsForm,
  postForm,
  register,
  useParentsWeb,
} from '../parents/harness';

// The parent's language: chosen on the registration's details form and on /account, from a list
// naming each language in itself; a value not on the list is refused and nothing is stored.

const ctx = useParentsWeb();

async function registrationCount(): Promise<number> {
  const [row] = await ctx.db.select({ n: count() }).from(schema.registrations);
  return row!.n;
}

describe('the language at registration', () => {
  it('lists the languages by their own names and stores the chosen one', async () => {
    const token = await issueLink(ctx, 'english@example.com');
    const { post } = await openDetailsForm(ctx, token);
    const page = await postForm(ctx, `/r/${token}/new?/code`, { authCode: 'ABCDEFGH' });
    const html = await page.text();
    for (const name of [
      '日本語',
      'やさしい日本語',
      'English',
      '简体中文',
      '한국어',
      'Tiếng Việt',
      'Português',
      'Filipino',
    ]) {
      expect(html).toContain(`>${name}</option>`);
    }
    const response = await post({
      loginId: 'lang-english',
      confirmUnmatched: 'yes',
      language: 'en',
    });
    expect(response.status).toBe(303);
    expect((await findRegistration(ctx, 'lang-english'))!.language).toBe('en');
  });

  it('defaults to Japanese', async () => {
    await register(ctx, await issueLink(ctx, 'japanese@example.com'), { loginId: 'lang-default' });
    expect((await findRegistration(ctx, 'lang-default'))!.language).toBe('ja');
  });

  it('refuses a language not on the list, storing nothing', async () => {
    const before = await registrationCount();
    const { post } = await openDetailsForm(ctx, await issueLink(ctx, 'french@example.com'));
    const response = await post({
      loginId: 'lang-french',
      confirmUnmatched: 'yes',
      language: 'fr',
    });
    expect(response.status).toBe(400);
    expect(await response.text()).toContain('一覧から言語を選んでください。');
    expect(await registrationCount()).toBe(before);
    expect(await findRegistration(ctx, 'lang-french')).toBeUndefined();
  });
});

describe('the language on /account', () => {
  it('changes it, audited, and refuses a bad value without changing it', async () => {
    const { cookie } = await register(ctx, await issueLink(ctx, 'changer@example.com'), {
      loginId: 'lang-changer',
    });
    const account = await getPage(ctx, '/account', cookie);
    expect(await account.text()).toContain('Tiếng Việt');
    const saved = await postForm(ctx, '/account?/language', { language: 'vi' }, cookie);
    expect(saved.status).toBe(200);
    const registration = (await findRegistration(ctx, 'lang-changer'))!;
    expect(registration.language).toBe('vi');
    for (const bad of ['xx', '', 'ja-easy\u0000', 'EN']) {
      const refused = await postForm(ctx, '/account?/language', { language: bad }, cookie);
      expect(refused.status).toBe(400);
      expect((await findRegistration(ctx, 'lang-changer'))!.language).toBe('vi');
    }
    const audits = await ctx.db
      .select()
      .from(schema.auditEvents)
      .where(eq(schema.auditEvents.action, 'parent.language_change'));
    expect(audits.map((row) => row.detail)).toEqual([{ language: 'vi' }]);
  });
});
