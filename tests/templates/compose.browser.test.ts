import { eq } from 'drizzle-orm';
import { simpleParser } from 'mailparser';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { saveTemplate } from '@renraku/core/templates';
import { schema } from '@renraku/db';
import { messageDone, startTestDispatcher, waitFor } from '../dispatch/fixtures';
import { startSink, type Sink } from '../dispatch/smtp-sink';
import { launchBrowser, PHONE_VIEWPORT } from '../support/browser';
import { pdfBytes } from '../support/files';
import { PASSWORD, startSendWorld, type SendWorld } from '../send/harness';
import { CLOSURE } from './fixtures';

// A school's vice-principal sends the closure from a template on a phone (390×844): pick the
// template, fill the date and time, attach the letter, check the preview, confirm and send,
// each step the test's own; nothing scrolls sideways on the way, the message holds the filled
// text, and an English-reading family gets it through real SMTP in English first, the Japanese
// below, with the letter's link.

let world: SendWorld;
let sink: Sink;

beforeAll(async () => {
  world = await startSendWorld();
  sink = await startSink();
  await world.db
    .update(schema.registrations)
    .set({ language: 'en' })
    .where(eq(schema.registrations.classId, world.classes.b11.id));
  await saveTemplate(
    { db: world.db },
    { id: world.staff.board.id, scope: { role: 'board', districtId: world.district.id } },
    CLOSURE,
  );
});

afterAll(async () => {
  await world?.close();
  await sink?.close();
});

it('composes a closure from a template at a phone’s width, and it is sent with the filled text', async () => {
  const browser = await launchBrowser();
  try {
    const page = await browser.newPage({ viewport: PHONE_VIEWPORT });
    const noSideScroll = async () =>
      expect(
        Number(await page.evaluate('document.documentElement.scrollWidth')),
      ).toBeLessThanOrEqual(PHONE_VIEWPORT.width);
    await page.goto(`${world.base}/staff/login`);
    await page.fill('input[name="login"]', world.staff.adminB.login);
    await page.fill('input[name="password"]', PASSWORD);
    await page.click('button[type="submit"]');
    await page.waitForURL(`${world.base}/staff`);

    const steps: Record<string, number> = {};
    const started = Date.now();
    let last = started;
    const step = (name: string) => {
      const now = Date.now();
      steps[name] = now - last;
      last = now;
    };

    await page.goto(`${world.base}/staff/messages/new`);
    await noSideScroll();
    await page.getByLabel('定型文').selectOption({ label: '臨時休業' });
    await page.getByRole('button', { name: '使う' }).click();
    await page.waitForURL(/\?template=\d+$/);
    step('pick');

    await page.getByLabel('日付').fill('2026-12-03');
    await page.getByLabel('時刻').fill('06:30');
    expect(await page.getByLabel('学校名').inputValue()).toBe('湊第二小学校');
    expect(await page.getByTestId('template-languages').textContent()).toContain(
      '日本語、やさしい日本語、English、한국어',
    );
    await page.setInputFiles('input[name="files"]', {
      name: '臨時休業のお知らせ.pdf',
      mimeType: 'application/pdf',
      buffer: pdfBytes('臨時休業'),
    });
    await noSideScroll();
    step('fill');

    await page.getByRole('button', { name: '確認へ' }).click();
    await expect
      .poll(() => page.getByTestId('confirm-subject').textContent())
      .toContain('湊第二小学校 12月3日（木）は臨時休業です');
    expect(await page.getByTestId('confirm-body').textContent()).toContain(
      '気象状況により、湊第二小学校は12月3日（木）を臨時休業とします。',
    );
    expect(await page.getByTestId('confirm-languages').textContent()).toContain('English');
    expect(await page.getByTestId('confirm-attachments').textContent()).toContain(
      '臨時休業のお知らせ.pdf',
    );
    await noSideScroll();
    step('preview');

    await page.getByRole('button', { name: '送信する' }).click();
    await page.waitForURL(/\/staff\/messages\/\d+$/);
    step('send');
    await noSideScroll();

    const id = Number(/\/messages\/(\d+)$/.exec(page.url())![1]);
    const [message] = await world.db
      .select()
      .from(schema.messages)
      .where(eq(schema.messages.id, id));
    expect(message!.templateId).not.toBeNull();
    expect(message!.subject).toBe('湊第二小学校 12月3日（木）は臨時休業です');
    expect(message!.body).toContain('次のお知らせは6時30分までにお送りします。');
    expect(message!.variants?.en?.subject).toBe(
      '湊第二小学校: School closed on Thursday, December 3, 2026',
    );
    expect(message!.target).toEqual({ kind: 'schools', schoolIds: [world.schools.b.id] });
    const composeMs = Date.now() - started;
    console.log(`template compose at 390×844: ${JSON.stringify(steps)}, total ${composeMs} ms`);

    const dispatcher = await startTestDispatcher(world.db, sink.url);
    try {
      await waitFor(() => messageDone(world.db, id));
    } finally {
      await dispatcher.stop();
    }
    const raw = sink.mails.find((mail) => mail.to === 'ono@example.jp')?.raw;
    const mail = await simpleParser(raw ?? '');
    expect(mail.subject).toContain('School closed on Thursday, December 3, 2026');
    const text = mail.text ?? '';
    const english = text.indexOf('湊第二小学校 will be closed on Thursday, December 3, 2026.');
    const japanese = text.indexOf(
      '気象状況により、湊第二小学校は12月3日（木）を臨時休業とします。',
    );
    expect(english).toBeGreaterThanOrEqual(0);
    expect(japanese).toBeGreaterThan(english);
    expect(text).toMatch(
      /臨時休業のお知らせ\.pdf[^\n]*\n\S*https:\/\/renraku\.example\.jp\/a\/\S+/,
    );
  } finally {
    await browser.close();
  }
});
