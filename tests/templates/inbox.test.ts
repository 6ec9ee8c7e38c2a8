import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { saveTemplate, templateMessage } from '@renraku/core/templates';
import { schema, type Db } from '@renraku/db';
import { createTestDatabase, type TestDatabase } from '@renraku/db/testing';
import type { StaffScope } from '@renraku/shared';
import { TEST_SECRET_KEY } from '../dispatch/fixtures';
import { INBOX_PASSWORD, inboxWorld } from '../parents/inbox-world';
import { postForm } from '../send/harness';
import { startTestWeb, type RunningWeb } from '../support/web';
import { CLOSURE } from './fixtures';

// The inbox of an English-reading family: a template message in English first with the
// Japanese original below, the page's own words in English; a free message stays Japanese.

let database: TestDatabase;
let db: Db;
let web: RunningWeb;
let base: string;

beforeAll(async () => {
  database = await createTestDatabase();
  db = database.handle.db;
  const world = await inboxWorld(db);
  const scope: StaffScope = { role: 'board', districtId: world.district.id };
  const id = await saveTemplate({ db }, { id: world.board.id, scope }, CLOSURE);
  filled = (await templateMessage(db, scope, {
    template: { id, slots: { 日付: '2026-12-03', 時刻: '06:30' } },
    target: { kind: 'district' },
  }))!;
  await world.send(filled.subject, { body: filled.body, template: filled.template, confirm: null });
  await db
    .update(schema.registrations)
    .set({ language: 'en' })
    .where(eq(schema.registrations.loginId, world.logins.inoue));
  ({ web, base } = await startTestWeb(database, { env: { SECRET_KEY: TEST_SECRET_KEY } }));
  const login = await postForm(base, '/account/login?/login', {
    loginId: world.logins.inoue,
    password: INBOX_PASSWORD,
  });
  const cookie = login.headers.getSetCookie().find((c) => c.startsWith('renraku_parent='))!;
  inbox = await (
    await fetch(`${base}/account/inbox`, { headers: { cookie: cookie.split(';')[0]! } })
  ).text();
});

let inbox: string;
let filled: NonNullable<Awaited<ReturnType<typeof templateMessage>>>;

afterAll(async () => {
  await web?.close();
  await database?.drop();
});

it('shows the template message in English first, the Japanese original below', () => {
  const [englishLine] = filled.template.variants.en!.body.split('\n');
  const [japaneseLine] = filled.body.split('\n');
  expect(englishLine).toContain('Thursday, December 3, 2026');
  const english = inbox.indexOf(englishLine!);
  const original = inbox.indexOf('Japanese (original)', english);
  const japanese = inbox.indexOf(japaneseLine!, original);
  expect(english).toBeGreaterThan(0);
  expect(original).toBeGreaterThan(english);
  expect(japanese).toBeGreaterThan(original);
});

it('keeps a free message in Japanese, the page’s words in English', () => {
  expect(inbox).toContain('【教育情報】運動会の延期');
  expect(inbox).toContain('>Messages</h1>');
  expect(inbox).not.toContain('これまでのお知らせ');
});
