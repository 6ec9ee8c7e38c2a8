import { simpleParser } from 'mailparser';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startDispatcher, type RunningDispatcher } from '../../apps/dispatcher/src';
import { createInProcessBus } from '@renraku/shared/bus';
import { dispatcherEnv, keys, silentLogger, waitFor } from '../dispatch/fixtures';
import { startSink, type Sink } from '../dispatch/smtp-sink';
import { launchBrowser } from '../support/browser';
import { PASSWORD, startSendWorld, type SendWorld } from './harness';

// A school admin composes an emergency contact to one class in the browser, sees the exact
// figures on the confirmation, sends, and the dispatcher delivers it to an SMTP sink.

let world: SendWorld;
let sink: Sink;
let dispatcher: RunningDispatcher;
const bus = createInProcessBus();

beforeAll(async () => {
  sink = await startSink();
  world = await startSendWorld({ bus });
  dispatcher = await startDispatcher({
    env: dispatcherEnv(sink.url),
    db: world.db,
    bus,
    keys,
    logger: silentLogger,
  });
});

afterAll(async () => {
  await dispatcher?.stop();
  await world?.close();
  await sink?.close();
});

it('composes, confirms with the figures, sends, and the mail reaches every address', async () => {
  const browser = await launchBrowser();
  try {
    const page = await browser.newPage();
    await page.goto(`${world.base}/staff/login`);
    await page.fill('input[name="login"]', world.staff.adminA.login);
    await page.fill('input[name="password"]', PASSWORD);
    await page.click('button[type="submit"]');
    await page.waitForURL(`${world.base}/staff`);

    await page.getByRole('link', { name: '配信する' }).first().click();
    await page.waitForURL(/\/staff\/messages\/new$/);
    await page.getByLabel(/緊急連絡/).check();
    await page.getByLabel('学級を選ぶ').check();
    await page.getByLabel('1年1組').check();
    await page.fill('#compose-subject', '臨時休校のお知らせ');
    await page.fill('#compose-body', '本日は台風のため臨時休校とします。');
    await page.getByRole('button', { name: '確認へ' }).click();

    await expect.poll(() => page.getByTestId('confirm-recipients').textContent()).toBe('3');
    expect(await page.getByTestId('confirm-call-list').textContent()).toBe('1');
    expect(await page.getByTestId('confirm-subject').textContent()).toContain(
      '【緊急連絡】臨時休校のお知らせ',
    );
    await page.getByRole('button', { name: '送信する' }).click();
    await page.waitForURL(/\/staff\/messages\/\d+$/);

    await waitFor(() => sink.mails.length >= 3);
    const mails = await Promise.all(sink.mails.map((mail) => simpleParser(mail.raw)));
    expect(sink.mails.map((mail) => mail.to).sort()).toEqual([
      'aoki-1@example.jp',
      'aoki-2@example.jp',
      'inoue@example.jp',
    ]);
    for (const mail of mails) {
      expect(mail.subject).toBe('【緊急連絡】臨時休校のお知らせ');
      expect(mail.text).toContain('本日は台風のため臨時休校とします。');
    }
  } finally {
    await browser.close();
  }
});
