import { simpleParser } from 'mailparser';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { messageDone, startTestDispatcher, waitFor } from '../dispatch/fixtures';
import { startSink, type Sink } from '../dispatch/smtp-sink';
import { createLoginStaff } from '../support/staff';
import { logIn, postForm, startSendWorld, tokenFor, type SendWorld } from './harness';

// What staff read is what parents get: the subject with its category tag written once, the
// same on the mail, the message page, the list and the compose preview; and staff names with
// one honorific, never 「佐々木先生さん」.

let world: SendWorld;
let sink: Sink;
let dispatcher: Awaited<ReturnType<typeof startTestDispatcher>>;
let boardToken: string;

beforeAll(async () => {
  world = await startSendWorld();
  sink = await startSink();
  dispatcher = await startTestDispatcher(world.db, sink.url);
  boardToken = await tokenFor(world.db, world.staff.board.id);
});

afterAll(async () => {
  await dispatcher?.stop();
  await sink?.close();
  await world?.close();
});

/** Sends to class 1年1組 of school A through the API; resolves when every mail has left. */
async function sendToA11(category: string, subject: string): Promise<number> {
  const response = await fetch(`${world.base}/api/v1/messages`, {
    method: 'POST',
    headers: { authorization: `Bearer ${boardToken}`, 'content-type': 'application/json' },
    body: JSON.stringify({
      category,
      subject,
      body: '本日は大雪のため臨時休校とします。',
      target: { kind: 'classes', classIds: [world.classes.a11.id] },
    }),
  });
  expect(response.status).toBe(201);
  const { id } = (await response.json()) as { id: number };
  await waitFor(() => messageDone(world.db, id));
  return id;
}

async function mailSubjects(messageId: number): Promise<string[]> {
  const mails = sink.mails.filter((mail) => mail.messageId.startsWith(`<renraku.${messageId}.`));
  expect(mails.length).toBeGreaterThan(0);
  return Promise.all(mails.map(async (mail) => (await simpleParser(mail.raw)).subject ?? ''));
}

const escapeHtml = (text: string) => text.replace(/&/g, '&amp;').replace(/</g, '&lt;');

describe('the subject staff see', () => {
  it.each([
    ['emergency_contact', '【緊急連絡】【臨時休校】大雪', '【緊急連絡】【臨時休校】大雪'],
    ['emergency_contact', '臨時休校のお知らせ', '【緊急連絡】臨時休校のお知らせ'],
    ['education_info', '［教育情報］ 運動会の延期', '【教育情報】運動会の延期'],
  ])(
    'is the mail’s subject on the message page and the list (%s, %s)',
    async (category, typed, final) => {
      const id = await sendToA11(category, typed);
      expect(new Set(await mailSubjects(id))).toEqual(new Set([final]));

      const cookie = await logIn(world.base, world.staff.board.login);
      const page = await (
        await fetch(`${world.base}/staff/messages/${id}`, { headers: { cookie } })
      ).text();
      expect(page).toContain(`<h1>${escapeHtml(final)}</h1>`);
      const list = await (
        await fetch(`${world.base}/staff/messages`, { headers: { cookie } })
      ).text();
      expect(list).toContain(`>${escapeHtml(final)}</a>`);
      const doubled = final.slice(0, 6).repeat(2);
      expect(page).not.toContain(doubled);
      expect(list).not.toContain(doubled);
    },
  );

  it('is the mail’s subject in the compose preview, without a doubled tag', async () => {
    const cookie = await logIn(world.base, world.staff.adminA.login);
    const preview = await postForm(
      world.base,
      '/staff/messages/new?/preview',
      {
        idempotencyKey: 'words-preview-000000001',
        category: 'emergency_contact',
        subject: '【緊急連絡】【臨時休校】大雪',
        body: '本日は臨時休校です。',
        when: 'now',
        targetKind: 'classes',
        classIds: [world.classes.a11.id],
      },
      cookie,
    );
    expect(preview.status).toBe(200);
    const html = await preview.text();
    const shown = /data-testid="confirm-subject"[^>]*>([^<]*)</.exec(html)?.[1]?.trim();
    expect(shown).toBe('【緊急連絡】【臨時休校】大雪');
  });
});

describe('staff names', () => {
  it.each([
    ['佐々木先生', '佐々木先生、おつかれさまです。'],
    ['田村教頭', '田村教頭、おつかれさまです。'],
    ['佐藤', '佐藤さん、おつかれさまです。'],
  ])('greet %s with one honorific', async (displayName, greeting) => {
    const staff = await createLoginStaff(world.db, {
      districtId: world.district.id,
      login: `words-${Buffer.from(displayName).toString('hex').slice(0, 12)}`,
      displayName,
      role: 'school_admin',
      schoolId: world.schools.a.id,
    });
    const cookie = await logIn(world.base, staff.login);
    const home = await (await fetch(`${world.base}/staff`, { headers: { cookie } })).text();
    expect(home).toContain(greeting);
    expect(home).not.toMatch(/(先生|教頭)さん/);
  });
});
