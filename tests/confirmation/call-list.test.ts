import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eq, inArray } from 'drizzle-orm';
import { recordConfirmations, schema, type Db } from '@renraku/db';
import { createTestDatabase, type TestDatabase } from '@renraku/db/testing';
import type { CallList, CallListRow } from '@renraku/core/call-list';
import { createInProcessBus } from '@renraku/shared/bus';
import {
  addFamilies,
  createClass,
  createDistrict,
  createSchool,
  createStaff,
  waitFor,
} from '../dispatch/fixtures';
import {
  apiToken,
  connected,
  Dashboard,
  openSocket,
  sessionCookie,
  startTestWeb,
  type RunningWeb,
  type TestSocket,
} from '../live/harness';
import { sendSafetyCheck } from './world';

// The call list of a confirming message on real PostgreSQL: answers that need a call come
// first, in their own section, whatever their mail did; once the message escalated, reached
// households that did not confirm join as 未確認, live; confirmed ones never do; JSON rows and
// the CSV carry the reason and the answer, and never an address.

let database: TestDatabase;
let db: Db;
let web: RunningWeb;
let base: string;
let socket: TestSocket;
const bus = createInProcessBus();
let messageId: number;
let households: number[];
let token: string;
let cookie: string;

type Row = CallListRow & { group: string };

async function callList(): Promise<CallList> {
  const response = await fetch(`${base}/api/v1/messages/${messageId}/call-list`, {
    headers: { authorization: `Bearer ${token}` },
  });
  expect(response.status).toBe(200);
  const text = await response.text();
  expect(text).not.toContain('@');
  return JSON.parse(text) as CallList;
}

const rowsOf = (groups: CallList['groups']): Row[] =>
  groups.flatMap((group) => group.rows.map((row) => ({ ...row, group: group.className })));
const listed = (rows: Row[]) =>
  rows.map((row) => [households.indexOf(row.householdId), row.reason, row.answer?.choice ?? null]);

beforeAll(async () => {
  database = await createTestDatabase();
  db = database.handle.db;
  ({ web, base } = await startTestWeb(database, { bus }));
  const district = await createDistrict(db);
  const board = await createStaff(db, district.id, 'board', '教育委員会');
  token = await apiToken(db, board.id);
  cookie = await sessionCookie(db, board.id);
  const school = await createSchool(db, district.id, 'みなと小学校');
  const c1 = await createClass(db, school, 1, '1組');
  const c2 = await createClass(db, school, 2, '1組');
  ({ householdIds: households } = await addFamilies(db, [
    // 0: reached, never answers: 未確認 once escalated.
    [{ klass: c1, name: '青木 一郎', addresses: ['f0@example.jp'] }],
    // 1: reached, 「確認しました」.
    [{ klass: c1, name: '井上 二郎', addresses: ['f1@example.jp'] }],
    // 2: reached, けががあります (needs a call).
    [{ klass: c2, name: '上田 三郎', addresses: ['f2@example.jp'] }],
    // 3: reached, 迎えに行けません (needs a call).
    [{ klass: c1, name: '江藤 四郎', addresses: ['f3@example.jp'] }],
    // 4: not registered.
    [{ klass: c1, name: '大野 五郎', addresses: [] }],
    // 5: reached, 無事です.
    [{ klass: c2, name: '加藤 六郎', addresses: ['f5@example.jp'] }],
    // 6: the relay refused its only mail.
    [{ klass: c2, name: '木村 七郎', addresses: ['f6@example.jp'] }],
  ]));
  let deliveryOf: (address: string) => number;
  ({ messageId, deliveryOf } = await sendSafetyCheck(db, district.id, board.id));
  await db
    .update(schema.deliveries)
    .set({ state: 'failed' })
    .where(inArray(schema.deliveries.id, [deliveryOf('f6@example.jp')]));
  await recordConfirmations(
    db,
    (
      [
        ['f1@example.jp', 0],
        ['f2@example.jp', 2],
        ['f3@example.jp', 4],
        ['f5@example.jp', 1],
      ] as const
    ).map(([address, choice]) => ({
      deliveryId: deliveryOf(address),
      choice,
      channel: 'link' as const,
      replyWords: null,
    })),
  );
  socket = openSocket(base, cookie);
  await connected(socket);
});

afterAll(async () => {
  socket?.close();
  await web?.close();
  await database?.drop();
});

describe('the call list of a confirming message', () => {
  it('lists answers that need a call first, in a section of their own, with the answer', async () => {
    const list = await callList();
    expect(listed(rowsOf(list.actionNeeded))).toEqual([
      [3, null, 4],
      [2, null, 2],
    ]);
    expect(rowsOf(list.actionNeeded)[0]!.answer).toEqual({
      choice: 4,
      label: '迎えに行けません',
      needsCall: true,
    });
    // Not escalated yet: the unanswered household 0 is not on it.
    expect(listed(rowsOf(list.groups))).toEqual([
      [4, 'unregistered', null],
      [6, 'failed', null],
    ]);
    expect(list.households).toBe(4);
  });

  it('adds reached households that did not confirm once the message escalated, live', async () => {
    const dashboard = new Dashboard(socket, messageId);
    expect((await dashboard.start()).ok).toBe(true);
    expect(dashboard.escalated).toBe(false);
    // What the dispatcher's chase does at deadline × 2.
    await db
      .update(schema.messages)
      .set({ escalatedAt: new Date() })
      .where(eq(schema.messages.id, messageId));
    await bus.publish('messageChanged', { messageId });
    await waitFor(() => dashboard.escalated, 10_000);

    const list = await callList();
    expect(listed(rowsOf(list.groups))).toEqual([
      [0, 'unconfirmed', null],
      [4, 'unregistered', null],
      [6, 'failed', null],
    ]);
    // Confirmed households (1 and 5, whose answers need no call) are never listed.
    const all = [...rowsOf(list.actionNeeded), ...rowsOf(list.groups)].map((row) =>
      households.indexOf(row.householdId),
    );
    expect(all).not.toContain(1);
    expect(all).not.toContain(5);
    expect(list.households).toBe(5);
  });

  it('exports the answer in the CSV, action-needed rows first, with no address', async () => {
    const response = await fetch(`${base}/api/v1/messages/${messageId}/call-list.csv`, {
      headers: { authorization: `Bearer ${token}` },
    });
    expect(response.status).toBe(200);
    const text = new TextDecoder().decode(new Uint8Array(await response.arrayBuffer()).slice(3));
    expect(text).not.toContain('@');
    const rows = text
      .slice(0, -2)
      .split('\r\n')
      .map((line) => line.split(','));
    const header = rows[0]!;
    const column = (name: string) => header.indexOf(name);
    expect(column('回答')).toBe(column('理由') + 1);
    expect(rows.slice(1).map((row) => [row[3], row[column('理由')], row[column('回答')]])).toEqual([
      ['江藤 四郎（1年1組）', '', '迎えに行けません'],
      ['上田 三郎（2年1組）', '', 'けががあります'],
      ['青木 一郎（1年1組）', '未確認', ''],
      ['大野 五郎（1年1組）', '未登録', ''],
      ['木村 七郎（2年1組）', '配信失敗', ''],
    ]);
  });

  it('shows the action-needed section and the answers on the page', async () => {
    const response = await fetch(`${base}/staff/messages/${messageId}/call-list`, {
      headers: { cookie, accept: 'text/html' },
    });
    const page = await response.text();
    expect(page).not.toContain('@example.jp');
    const section = page.slice(page.indexOf('data-testid="action-needed"'));
    expect(page.indexOf('data-testid="action-needed"')).toBeGreaterThan(0);
    expect(section.indexOf('江藤 四郎')).toBeLessThan(section.indexOf('青木 一郎'));
    expect(page).toContain('回答: 迎えに行けません');
    expect(page).toContain('data-reason="unconfirmed"');
  });
});
