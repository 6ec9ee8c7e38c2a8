import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchBrowser, PHONE_VIEWPORT } from '../support/browser';
import { AUTH_CODE, findRegistration, issueLink, useParentsWeb } from './harness';

// A parent on a phone picks the wrong class (the roster has 苫小牧 太郎 in 1年1組, she picks
// 1年2組 and mistypes the kana): one submit shows the kana error and that no roster child
// matches, with everything she typed (the password too) still in the form; she corrects the
// kana and the class and completes, matched to the roster.

const ctx = useParentsWeb();
let browser: Browser;

beforeAll(async () => {
  browser = await launchBrowser();
});

afterAll(async () => {
  await browser?.close();
});

describe('correcting the class on a phone', () => {
  it('shows every problem at once, keeps the typed values, and completes matched', async () => {
    const token = await issueLink(ctx, 'phone.fix@docomo.ne.jp');
    const page = await browser.newPage({ viewport: PHONE_VIEWPORT, locale: 'ja-JP' });
    try {
      await page.goto(`${ctx.base}/r/${token}/new`);
      await page.getByLabel('認証コード').fill(AUTH_CODE);
      await page.getByRole('button', { name: '次へ' }).click();

      await page.getByLabel('ログインID').fill('phone-fix');
      await page.getByLabel('パスワード').fill('hamanasu-2026');
      await page.getByLabel('お子さまの氏名', { exact: true }).fill('苫小牧 太郎');
      await page.getByLabel('お子さまの氏名（カナ）').fill('とまこまい たろう1');
      await page.getByLabel('学年').selectOption('1');
      await page.getByLabel('クラス').selectOption({ label: '2組' });
      await page.getByRole('button', { name: '登録する' }).click();

      await page.getByText('カナはカタカナまたはひらがなで入力してください').waitFor();
      expect(await page.getByLabel('パスワード').inputValue()).toBe('hamanasu-2026');
      expect(await page.getByLabel('ログインID').inputValue()).toBe('phone-fix');

      await page.getByLabel('お子さまの氏名（カナ）').fill('とまこまい たろう');
      await page.getByRole('button', { name: '登録する' }).click();
      await page.getByText('名簿に一致するお子さまが見つかりません').waitFor();
      expect(await page.getByLabel('パスワード').inputValue()).toBe('hamanasu-2026');
      const width = await page.evaluate('document.documentElement.scrollWidth');
      expect(width).toBeLessThanOrEqual(PHONE_VIEWPORT.width);
      await page.screenshot({ path: '/tmp/regform-unmatched.png', fullPage: true });

      await page.getByLabel('クラス', { exact: true }).selectOption({ label: '1組' });
      await page.getByRole('button', { name: '登録する' }).click();
      await page.getByRole('heading', { name: '登録が完了しました' }).waitFor();
      expect(await page.textContent('main')).not.toContain('一致していません');
    } finally {
      await page.close();
    }
    expect(await findRegistration(ctx, 'phone-fix')).toMatchObject({
      classId: ctx.classes.get('1:1組'),
      studentId: ctx.studentId,
    });
  });
});
