import { afterAll, beforeAll, expect, it } from 'vitest';
import { recordConfirmations, runDueSchedule, schema, type Db } from '@renraku/db';
import { createTestDatabase, type TestDatabase } from '@renraku/db/testing';
import { confirmRequestOf } from '@renraku/shared';
import {
  addFamilies,
  createClass,
  createDistrict,
  createSchool,
  createStaff,
  sendMessage,
} from '../dispatch/fixtures';
import { sessionCookie, startTestWeb, type RunningWeb } from '../live/harness';
import { acceptedDeliveries } from './world';

// The board's overview reads each school's confirmation rate of the latest monthly test mail:
// confirmed households of those it reached. A later emergency that also asks for
// confirmation is not the test mail.

let database: TestDatabase;
let db: Db;
let web: RunningWeb;
let base: string;
let cookie: string;
let schools: Record<'a' | 'b', number>;

beforeAll(async () => {
  database = await createTestDatabase();
  db = database.handle.db;
  ({ web, base } = await startTestWeb(database));
  const district = await createDistrict(db);
  const board = await createStaff(db, district.id, 'board', '教育委員会');
  cookie = await sessionCookie(db, board.id);
  const schoolA = await createSchool(db, district.id, 'みなと第一小学校');
  const schoolB = await createSchool(db, district.id, 'みなと第二小学校');
  schools = { a: schoolA.id, b: schoolB.id };
  const a1 = await createClass(db, schoolA, 1, '1組');
  const b1 = await createClass(db, schoolB, 1, '1組');
  await addFamilies(db, [
    [{ klass: a1, name: '児童 0', addresses: ['a0@example.jp'] }],
    [{ klass: a1, name: '児童 1', addresses: ['a1@example.jp'] }],
    [{ klass: a1, name: '児童 2', addresses: ['a2@example.jp'] }],
    // Not registered: the test mail did not reach it, so it is not in the rate.
    [{ klass: a1, name: '児童 3', addresses: [] }],
    [{ klass: b1, name: '児童 4', addresses: ['b0@example.jp'] }],
    [{ klass: b1, name: '児童 5', addresses: ['b1@example.jp'] }],
  ]);
  await db.insert(schema.messageSchedules).values({
    districtId: district.id,
    authorId: board.id,
    category: 'education_info',
    subject: '月例の配信テスト',
    body: 'これはシステム確認のための配信です。',
    target: { kind: 'district' },
    dayOfMonth: 1,
    timeOfDay: '07:30',
    nextRunAt: new Date(Date.now() - 60_000),
  });
  const testMail = (await runDueSchedule(db))!;
  const later = await sendMessage(db, {
    districtId: district.id,
    authorId: board.id,
    target: { kind: 'district' },
    confirm: confirmRequestOf('emergency_contact', undefined),
  });
  const testMailDelivery = await acceptedDeliveries(db, testMail);
  const laterDelivery = await acceptedDeliveries(db, later.id);
  await recordConfirmations(db, [
    {
      deliveryId: testMailDelivery('a0@example.jp'),
      choice: 0,
      channel: 'link',
      replyWords: null,
    },
    {
      deliveryId: testMailDelivery('a1@example.jp'),
      choice: 0,
      channel: 'reply',
      replyWords: null,
    },
    // The emergency's answers are not the test mail's.
    {
      deliveryId: laterDelivery('b0@example.jp'),
      choice: 0,
      channel: 'link',
      replyWords: null,
    },
  ]);
});

afterAll(async () => {
  await web?.close();
  await database?.drop();
});

it("shows each school's confirmation rate of the latest test mail", async () => {
  const response = await fetch(`${base}/staff/overview`, {
    headers: { cookie, accept: 'text/html' },
  });
  expect(response.status).toBe(200);
  const page = await response.text();
  expect(page).not.toContain('@example.jp');
  expect(page).toContain('最新のテスト配信: 【教育情報】月例の配信テスト');
  const rate = (schoolId: number) =>
    new RegExp(
      `data-school-id="${schoolId}"[\\s\\S]*?data-testid="test-mail-rate"[^>]*>([^<]*)<`,
    ).exec(page)?.[1];
  expect(rate(schools.a)).toBe('66.6% (2 / 3)');
  expect(rate(schools.b)).toBe('0.0% (0 / 2)');
});
