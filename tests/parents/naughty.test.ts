import { schema } from '@renraku/db';
import { describe, expect, it } from 'vitest';
import {
  enterAuthCode,
  findRegistration,
  issueLink,
  logIn,
  PASSWORD,
  postForm,
  useParentsWeb,
} from './harness';

// Classic naughty strings in every field of the parents' forms: each gets a clear answer (a
// refusal that stores nothing, or a safe stored value), never a 500.

const ctx = useParentsWeb();

const NAUGHTY = [
  '',
  ' ',
  '\u3000',
  "'; DROP TABLE registrations; --",
  "' OR '1'='1",
  '" OR ""="',
  '1; SELECT pg_sleep(5)',
  '<script>alert(1)</script>',
  '<img src=x onerror=alert(1)>',
  '"><svg/onload=alert(1)>',
  '{{7*7}}${7*7}',
  '../../../etc/passwd',
  '%00%0d%0a',
  'a\u0000b',
  'null',
  'undefined',
  '\u202etxt.exe',
  'ab\u200bcd',
  '\ufeffBOM',
  '😀👨‍👩‍👧‍👦',
  'ｱｲｳｴｵ',
  'Ω≈ç√∫',
  '田中\t太郎\r\n',
  '\u0007\u0008\u001b[31m',
  'x'.repeat(10_000),
  'あ'.repeat(61),
  '-1',
  '1e9',
  '０',
  'NaN',
];

const FIELDS = ['loginId', 'password', 'childName', 'childKana', 'grade', 'classId'] as const;

describe('naughty strings', () => {
  it('in every field of the details form: a clear error or a safe stored value, never a 500', async () => {
    const openForm = async () => {
      const token = await issueLink(ctx, 'naughty@docomo.ne.jp');
      const { grant } = await enterAuthCode(ctx, token);
      return { token, grant: grant! };
    };
    let form = await openForm();
    const valid = (n: number) => ({
      loginId: `naughty-${n}`,
      password: PASSWORD,
      childName: `安全 ${n}郎`,
      childKana: `アンゼン ${'タ'.repeat((n % 30) + 1)}${'チ'.repeat(Math.floor(n / 30) + 1)}`,
      grade: '1',
      classId: String(ctx.classes.get('1:2組')),
      // These children are not on the roster: registered as the parent who confirms that.
      confirmUnmatched: 'yes',
    });
    let n = 0;
    let accepted = 0;
    for (const field of FIELDS) {
      for (const value of NAUGHTY) {
        n += 1;
        const before = (await ctx.db.select().from(schema.registrations)).length;
        const fields = { ...valid(n), [field]: value };
        const response = await postForm(ctx, `/r/${form.token}/new?/register`, {
          grant: form.grant,
          ...fields,
        });
        const label = `${field}=${JSON.stringify(value.slice(0, 20))}`;
        const html = await response.text();
        expect(html, label).not.toContain('<script>alert(1)</script>');
        expect(html, label).not.toContain('<img src=x');
        const after = (await ctx.db.select().from(schema.registrations)).length;
        if (response.status === 303) {
          // Accepted (e.g. the login ID 「null」, an emoji password): stored, and only in clean form.
          accepted += 1;
          const stored = await findRegistration(
            ctx,
            fields.loginId.normalize('NFKC').trim().toLowerCase(),
          );
          expect(stored, label).toBeDefined();
          for (const text of [stored!.loginId, stored!.childName, stored!.childKana]) {
            expect(text, label).not.toMatch(/[\p{Cc}\p{Cf}]/u);
          }
          expect(after, label).toBe(before + 1);
          form = await openForm();
        } else {
          expect(response.status, label).toBe(400);
          expect(html, label).toContain('role="alert"');
          expect(after, label).toBe(before);
        }
      }
    }
    // Most of the list is refused; the few valid values were stored cleanly.
    expect(accepted).toBeLessThan(n / 4);
  });

  it('as names that are valid text: stored exactly as normalized, shown escaped', async () => {
    for (const [index, name] of ["O'Brien; DROP TABLE x; --", '<b>太郎</b>', '😀 太郎'].entries()) {
      const token = await issueLink(ctx, `valid-naughty-${index}@docomo.ne.jp`);
      const { grant } = await enterAuthCode(ctx, token);
      const response = await postForm(ctx, `/r/${token}/new?/register`, {
        grant: grant!,
        loginId: `valid-naughty-${index}`,
        password: PASSWORD,
        childName: name,
        childKana: `ナマエ ${'ア'.repeat(index + 1)}`,
        grade: '1',
        classId: String(ctx.classes.get('1:2組')),
        confirmUnmatched: 'yes',
      });
      expect(response.status, name).toBe(303);
      expect((await findRegistration(ctx, `valid-naughty-${index}`))?.childName).toBe(name);
      const cookie = response.headers.getSetCookie()[0]!.split(';')[0];
      const page = await (
        await fetch(`${ctx.base}/account`, { headers: { cookie: cookie! } })
      ).text();
      expect(page).not.toContain('<b>太郎</b>');
    }
  });

  it('in the auth code and login forms: refused plainly', async () => {
    const token = await issueLink(ctx, 'naughty-code@docomo.ne.jp');
    for (const value of NAUGHTY.slice(0, 4)) {
      const { response } = await enterAuthCode(ctx, token, value);
      expect(response.status).toBe(400);
    }
    for (const value of NAUGHTY) {
      const { response } = await logIn(ctx, value, value);
      expect([400, 429], JSON.stringify(value.slice(0, 20))).toContain(response.status);
      const forgot = await postForm(ctx, '/account/forgot?/request', { loginId: value });
      expect(forgot.status).toBe(200);
    }
  });
});
