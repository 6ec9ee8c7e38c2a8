import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { and, eq } from 'drizzle-orm';
import { createMessage, schema, type Db } from '@renraku/db';
import { createTestDatabase, type TestDatabase } from '@renraku/db/testing';
import type { AuditAction } from '@renraku/shared';
import { createInProcessBus } from '@renraku/shared/bus';
import {
  addFamilies,
  createClass,
  createDistrict,
  createSchool,
  createStaff,
  messageDone,
  startTestDispatcher,
  waitFor,
} from '../dispatch/fixtures';
import { startSink, type Sink } from '../dispatch/smtp-sink';
import {
  apiToken,
  assignClass,
  connected,
  Dashboard,
  openSocket,
  sessionCookie,
  startTestWeb,
  type RunningWeb,
  type TestSocket,
} from './harness';

// The call list of a mixed send, exactly: registered, unregistered, every address failed, some
// failed, siblings (merged, also when they share one failing address), dead addresses. Then the
// ways staff get it (page, JSON API, CSV), scoped; and marks shared live between call lists.

let database: TestDatabase;
let db: Db;
let sink: Sink;
let web: RunningWeb;
let base: string;
const sockets: TestSocket[] = [];
let messageId: number;
let otherSchoolMessage: number;
let cookies: { board: string; teacherA1: string; teacherA3: string; adminA: string };
let boardToken: string;
let teacherToken: string;
let households: Record<string, number>;

function socket(cookie: string): TestSocket {
  const opened = openSocket(base, cookie);
  sockets.push(opened);
  return opened;
}

beforeAll(async () => {
  database = await createTestDatabase();
  db = database.handle.db;
  sink = await startSink();
  const bus = createInProcessBus();
  ({ web, base } = await startTestWeb(database, { bus }));

  const district = await createDistrict(db);
  const schoolA = await createSchool(db, district.id, 'みなと第一小学校');
  const schoolB = await createSchool(db, district.id, 'みなと第二小学校');
  const a1 = await createClass(db, schoolA, 1, '1組');
  const a3 = await createClass(db, schoolA, 3, '2組');
  const b1 = await createClass(db, schoolB, 2, '1組');
  const { householdIds } = await addFamilies(db, [
    [{ klass: a1, name: '青木 一郎', addresses: ['ok-aoki@example.jp'] }],
    [{ klass: a1, name: '井上 二郎', addresses: [] }],
    [
      {
        klass: a1,
        name: '上田 三郎',
        addresses: ['r550-ueda1@example.jp', 'r553-ueda2@example.jp'],
      },
    ],
    [{ klass: a1, name: '江藤 四郎', addresses: ['r550-eto@example.jp', 'ok-eto@example.jp'] }],
    [
      { klass: a1, name: '大野 五郎', addresses: [] },
      { klass: a3, name: '大野 花子', addresses: [] },
    ],
    [
      { klass: a1, name: '加藤 六郎', addresses: ['r554-kato@example.jp'] },
      { klass: a3, name: '加藤 桜', addresses: ['r554-kato@example.jp'] },
    ],
    [
      { klass: a1, name: '木村 七郎', addresses: ['ok-kimura@example.jp'] },
      { klass: a3, name: '木村 梅', addresses: [] },
    ],
    [
      {
        klass: a3,
        name: '工藤 八郎',
        addresses: [{ address: 'ok-kudo@example.jp', health: 'dead' }],
      },
    ],
    [{ klass: a1, name: '小林 九郎', status: 'graduated', addresses: [] }],
    [{ klass: b1, name: '佐藤 十郎', addresses: [] }],
  ]);
  households = {
    aoki: householdIds[0]!,
    inoue: householdIds[1]!,
    ueda: householdIds[2]!,
    eto: householdIds[3]!,
    ono: householdIds[4]!,
    kato: householdIds[5]!,
    kimura: householdIds[6]!,
    kudo: householdIds[7]!,
    kobayashi: householdIds[8]!,
    sato: householdIds[9]!,
  };
  const board = await createStaff(db, district.id, 'board', '教育委員会 佐藤');
  const adminA = await createStaff(db, district.id, 'school_admin', '第一小 教頭', schoolA.id);
  const teacherA1 = await createStaff(db, district.id, 'teacher', '1年1組 担任 田中', schoolA.id);
  const teacherA3 = await createStaff(db, district.id, 'teacher', '3年2組 担任 中村', schoolA.id);
  await assignClass(db, teacherA1.id, a1.id);
  await assignClass(db, teacherA3.id, a3.id);
  cookies = {
    board: await sessionCookie(db, board.id),
    adminA: await sessionCookie(db, adminA.id),
    teacherA1: await sessionCookie(db, teacherA1.id),
    teacherA3: await sessionCookie(db, teacherA3.id),
  };
  boardToken = await apiToken(db, board.id);
  teacherToken = await apiToken(db, teacherA1.id);
  const send = (schoolId: number | null, target: object) =>
    createMessage(db, {
      districtId: district.id,
      schoolId,
      authorId: board.id,
      category: 'emergency_contact',
      subject: '臨時休校のお知らせ',
      body: '本日は臨時休校です。',
      target: target as never,
      scheduledAt: null,
      idempotencyKey: null,
    });
  messageId = (await send(schoolA.id, { kind: 'schools', schoolIds: [schoolA.id] })).id;
  otherSchoolMessage = (await send(schoolB.id, { kind: 'schools', schoolIds: [schoolB.id] })).id;
  const dispatcher = await startTestDispatcher(db, sink.url, { bus });
  await waitFor(
    async () => (await messageDone(db, messageId)) && messageDone(db, otherSchoolMessage),
  );
  await dispatcher.stop();
});

afterAll(async () => {
  for (const opened of sockets) opened.close();
  await web?.close();
  await sink?.close();
  await database?.drop();
});

interface CallListJson {
  mustCall: boolean;
  households: number;
  groups: {
    className: string;
    grade: number;
    rows: {
      householdId: number;
      reason: string;
      addressFailing: boolean;
      children: { name: string }[];
      phones: { number: string }[];
    }[];
  }[];
}

function api(path: string, token: string): Promise<Response> {
  return fetch(`${base}/api/v1${path}`, { headers: { authorization: `Bearer ${token}` } });
}

/** "class: household(reason) names" per row, the call list in a comparable form. */
function summary(list: CallListJson): string[] {
  const name = (id: number) => Object.entries(households).find(([, value]) => value === id)?.[0];
  return list.groups.flatMap((group) =>
    group.rows.map(
      (row) =>
        `${group.grade}年${group.className}: ${name(row.householdId)}(${row.reason}) ${row.children
          .map((child) => child.name)
          .join('+')}`,
    ),
  );
}

describe('the call list of a mixed send', () => {
  it('lists exactly the households no mail reached, siblings merged, grouped by class', async () => {
    const response = await api(`/messages/${messageId}/call-list`, boardToken);
    expect(response.status).toBe(200);
    const list = (await response.json()) as CallListJson;
    expect(list.mustCall).toBe(true);
    expect(summary(list)).toEqual([
      '1年1組: inoue(unregistered) 井上 二郎',
      '1年1組: ueda(failed) 上田 三郎',
      '1年1組: ono(unregistered) 大野 五郎+大野 花子',
      '1年1組: kato(failed) 加藤 六郎+加藤 桜',
      '3年2組: kudo(address_dead) 工藤 八郎',
    ]);
    expect(list.households).toBe(5);
    // Only kudo's registered address is dead: staff see that, never which address.
    const flagged = list.groups
      .flatMap((group) => group.rows)
      .filter((row) => row.addressFailing)
      .map((row) => row.householdId);
    expect(flagged).toEqual([households.kudo]);
    expect(list.groups[0]!.rows[0]!.phones[0]!.number).toMatch(/^03-0000-/);
    expect(JSON.stringify(list)).not.toContain('@');
  });

  it('shows a teacher only the households of their class, under their class', async () => {
    const response = await fetch(`${base}/staff/messages/${messageId}/call-list/rows`, {
      headers: { cookie: cookies.teacherA3 },
    });
    expect(summary((await response.json()) as CallListJson)).toEqual([
      '3年2組: ono(unregistered) 大野 五郎+大野 花子',
      '3年2組: kato(failed) 加藤 六郎+加藤 桜',
      '3年2組: kudo(address_dead) 工藤 八郎',
    ]);
    const other = await api(`/messages/${otherSchoolMessage}/call-list`, teacherToken);
    expect(other.status).toBe(404);
    for (const bad of ['abc', '0', '-1', '99999999999', '1.5']) {
      expect((await api(`/messages/${bad}/call-list`, boardToken)).status).toBe(404);
    }
    expect((await fetch(`${base}/api/v1/messages/${messageId}/call-list`)).status).toBe(401);
  });

  it('exports a CSV that Excel opens: BOM, CRLF, Japanese headers, no address', async () => {
    const response = await fetch(`${base}/staff/messages/${messageId}/call-list.csv`, {
      headers: { cookie: cookies.adminA },
    });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('text/csv; charset=utf-8');
    expect(response.headers.get('content-disposition')).toContain('attachment');
    const bytes = new Uint8Array(await response.arrayBuffer());
    expect([...bytes.slice(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    const text = new TextDecoder().decode(bytes.slice(3));
    expect(text).not.toContain('@');
    expect(text.endsWith('\r\n')).toBe(true);
    const lines = text.slice(0, -2).split('\r\n');
    expect(lines.every((line) => !line.includes('\n'))).toBe(true);
    const rows = lines.map((line) => line.split(','));
    expect(rows[0]).toEqual([
      '学校',
      '学年',
      '組',
      '児童氏名',
      'ふりがな',
      '理由',
      '回答',
      '電話番号',
      '対応状況',
      '対応者',
      '対応日時',
    ]);
    expect(rows).toHaveLength(6);
    expect(rows.map((row) => row[5])).toEqual([
      '理由',
      '未登録',
      '配信失敗',
      '未登録',
      '配信失敗',
      // kudo registered, but the only address is dead: not 「未登録」, which reads "never
      // registered"; the school asks the family to register the address again.
      'アドレス不達',
    ]);
    expect(rows[3]![3]).toBe('大野 五郎（1年1組）、大野 花子（3年2組）');
    const api = await fetch(`${base}/api/v1/messages/${messageId}/call-list.csv`, {
      headers: { authorization: `Bearer ${boardToken}` },
    });
    expect(new TextDecoder().decode(new Uint8Array(await api.arrayBuffer()).slice(3))).toBe(text);
  });

  it('names a registered household whose only address is dead 「アドレス不達」 on the page', async () => {
    const response = await fetch(`${base}/staff/messages/${messageId}/call-list`, {
      headers: { cookie: cookies.adminA, accept: 'text/html' },
    });
    expect(response.status).toBe(200);
    const html = await response.text();
    const row = (householdId: number) => {
      const start = html.indexOf(`data-household="${householdId}"`);
      expect(start).toBeGreaterThan(0);
      return html.slice(start, html.indexOf('</tr>', start));
    };
    expect(row(households.kudo!)).toContain('data-reason="address_dead"');
    expect(row(households.kudo!)).toContain('アドレス不達');
    expect(row(households.kudo!)).not.toContain('未登録');
    expect(row(households.inoue!)).toContain('data-reason="unregistered"');
    expect(row(households.inoue!)).toContain('未登録');
    expect(row(households.inoue!)).not.toContain('アドレス不達');
    expect(row(households.ueda!)).toContain('配信失敗');
  });

  it('audits every opening and every download of the call list', async () => {
    const audited = (action: AuditAction) =>
      db
        .select()
        .from(schema.auditEvents)
        .where(
          and(
            eq(schema.auditEvents.action, action),
            eq(schema.auditEvents.subjectId, String(messageId)),
          ),
        );
    // The JSON API and the page are views; the live refresh of an open list is not one.
    expect((await audited('callList.view')).length).toBeGreaterThanOrEqual(2);
    // The CSV page and the CSV API are exports.
    expect((await audited('callList.export')).length).toBeGreaterThanOrEqual(2);
  });
});

describe('marks', () => {
  it('reach every open call list of the household at once, with who and when', async () => {
    const teacherA1 = new Dashboard(socket(cookies.teacherA1), messageId);
    const teacherA3 = new Dashboard(socket(cookies.teacherA3), messageId);
    const board = new Dashboard(socket(cookies.board), messageId);
    for (const dashboard of [teacherA1, teacherA3, board]) {
      await connected(dashboard.socket);
      expect((await dashboard.start()).ok).toBe(true);
    }
    const result = await new Promise((resolve) =>
      teacherA1.socket.emit(
        'callList:mark',
        { messageId, householdId: households.ono!, mark: 'calling' },
        resolve,
      ),
    );
    expect(result).toMatchObject({
      ok: true,
      event: { mark: 'calling', staffName: '1年1組 担任 田中' },
    });
    await waitFor(() => teacherA3.marks.length === 1 && board.marks.length === 1);
    expect(teacherA3.marks[0]).toMatchObject({
      householdId: households.ono,
      mark: 'calling',
      staffName: '1年1組 担任 田中',
    });
    expect(Date.parse(teacherA3.marks[0]!.markedAt)).not.toBeNaN();

    const list = (await (await api(`/messages/${messageId}/call-list`, boardToken)).json()) as {
      groups: { rows: { householdId: number; mark: string | null; markedBy: string | null }[] }[];
    };
    const row = list.groups.flatMap((g) => g.rows).find((r) => r.householdId === households.ono);
    expect(row).toMatchObject({ mark: 'calling', markedBy: '1年1組 担任 田中' });
  });

  it('refuses bad marks and households outside the scope, and tells nobody', async () => {
    const teacherA3 = new Dashboard(socket(cookies.teacherA3), messageId);
    await connected(teacherA3.socket);
    await teacherA3.start();
    const mark = (payload: unknown) =>
      new Promise((resolve) => teacherA3.socket.emit('callList:mark', payload as never, resolve));
    expect(await mark({ messageId, householdId: households.ono, mark: 'phoned' })).toEqual({
      ok: false,
      error: 'invalid',
    });
    expect(await mark({ messageId, householdId: 'x', mark: 'reached' })).toEqual({
      ok: false,
      error: 'invalid',
    });
    expect(await mark({ messageId })).toEqual({ ok: false, error: 'invalid' });
    // 井上 is in 1年1組, not this teacher's class; 佐藤 is another school's household.
    expect(await mark({ messageId, householdId: households.inoue, mark: 'reached' })).toEqual({
      ok: false,
      error: 'not_found',
    });
    expect(await mark({ messageId, householdId: households.sato, mark: 'reached' })).toEqual({
      ok: false,
      error: 'not_found',
    });
    expect(
      await mark({ messageId: otherSchoolMessage, householdId: households.sato, mark: 'reached' }),
    ).toEqual({
      ok: false,
      error: 'not_found',
    });
    const stored = await db
      .select()
      .from(schema.callListMarks)
      .where(eq(schema.callListMarks.householdId, households.inoue!));
    expect(stored).toEqual([]);
    // Clearing one's own household's mark works and is audited.
    expect(await mark({ messageId, householdId: households.kato, mark: 'reached' })).toMatchObject({
      ok: true,
    });
    expect(await mark({ messageId, householdId: households.kato, mark: null })).toMatchObject({
      ok: true,
      event: { mark: null },
    });
    const audits = await db
      .select()
      .from(schema.auditEvents)
      .where(eq(schema.auditEvents.action, 'callList.mark'));
    expect(audits.length).toBeGreaterThanOrEqual(3);
  });
});
