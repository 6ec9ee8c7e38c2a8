import { createLogger } from '@renraku/shared/logger';
import nodemailer from 'nodemailer';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startInboundServer, type InboundServer } from '../../apps/dispatcher/src/inbound';
import { launchBrowser, PHONE_VIEWPORT } from '../support/browser';
import { AUTH_CODE, findRegistration, keys, mailsTo, PUBLIC_URL, useParentsWeb } from './harness';

// A parent on a phone, end to end: a real SMTP client sends the empty mail to the inbound
// server, whose reply (through the SMTP sink) carries the link; Chromium at a phone viewport
// follows it, chooses 新規登録, enters the auth code and the details, and sees the completion
// page; the completion mail arrives.

const ctx = useParentsWeb();
let browser: Browser;
let inbound: InboundServer;

beforeAll(async () => {
  const relay = nodemailer.createTransport({ url: ctx.sink.url });
  inbound = await startInboundServer({
    db: ctx.db,
    keys,
    logger: createLogger('parents-browser', 'silent'),
    host: '127.0.0.1',
    port: 0,
    mailDomain: 'renraku.test',
    publicUrl: PUBLIC_URL,
    sendReply: (mail) => relay.sendMail(mail),
  });
  browser = await launchBrowser();
});

afterAll(async () => {
  await browser?.close();
  await inbound?.close();
});

describe('registering on a phone', () => {
  it('follows the mailed link and registers', async () => {
    const parent = 'phone.parent@docomo.ne.jp';
    const client = nodemailer.createTransport({
      host: '127.0.0.1',
      port: inbound.port,
      secure: false,
    });
    await client.sendMail({
      from: parent,
      to: ctx.school.registrationAddress,
      subject: '',
      text: '',
    });
    client.close();

    const [reply] = await mailsTo(ctx, parent);
    const link = new RegExp(`${PUBLIC_URL}(/r/[A-Za-z0-9_-]+)`).exec(reply!.text ?? '')?.[1];
    expect(link).toBeDefined();

    const page = await browser.newPage({ viewport: PHONE_VIEWPORT, locale: 'ja-JP' });
    try {
      await page.goto(`${ctx.base}${link}`);
      await page.getByRole('link', { name: '新規登録の人はこちら' }).click();
      await page.getByLabel('認証コード').fill(AUTH_CODE.toLowerCase());
      await page.getByRole('button', { name: '次へ' }).click();

      await page.getByLabel('ログインID').fill('phone-parent');
      await page.getByLabel('パスワード').fill('hamanasu-2026');
      await page.getByLabel('お子さまの氏名', { exact: true }).fill('苫小牧 太郎');
      await page.getByLabel('お子さまの氏名（カナ）').fill('とまこまい たろう');
      await page.getByLabel('学年').selectOption('1');
      await page.getByLabel('クラス').selectOption({ label: '1組' });
      await page.getByRole('button', { name: '登録する' }).click();

      await page.getByRole('heading', { name: '登録が完了しました' }).waitFor();
      expect(await page.textContent('main')).toContain('phone-parent');
      // Nothing on the page is wider than the phone.
      const width = await page.evaluate('document.documentElement.scrollWidth');
      expect(width).toBeLessThanOrEqual(PHONE_VIEWPORT.width);
    } finally {
      await page.close();
    }

    const registration = await findRegistration(ctx, 'phone-parent');
    expect(registration?.studentId).toBe(ctx.studentId);
    const mails = await mailsTo(ctx, parent, 2);
    expect(mails.map((mail) => mail.subject)).toContain('【桐園小学校】登録が完了しました');
  });
});
