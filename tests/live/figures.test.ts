import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Db } from '@renraku/db';
import { createTestDatabase, type TestDatabase } from '@renraku/db/testing';
import { DELIVERY_STATES } from '@renraku/shared';
import { createFiguresWorld, type FiguresWorld } from './figures-world';
import { databaseFigures, startTestWeb, type RunningWeb } from './harness';
import { textOf } from '../admin/support';

// The figures staff read come from the server, scoped like the page, counted one way: the
// dashboard and the list before any socket, the JSON API for integrations, the overview and
// the statistics with one rounding rule. The deliveries are set by SQL and stand still.

let database: TestDatabase;
let db: Db;
let web: RunningWeb;
let base: string;
let world: FiguresWorld;

beforeAll(async () => {
  database = await createTestDatabase();
  db = database.handle.db;
  ({ web, base } = await startTestWeb(database));
  world = await createFiguresWorld(db);
});

afterAll(async () => {
  await web?.close();
  await database?.drop();
});

async function page(path: string, cookie: string): Promise<string> {
  const response = await fetch(`${base}${path}`, { headers: { cookie, accept: 'text/html' } });
  expect(response.status).toBe(200);
  return response.text();
}

/** The text of the element with the test id (the first one). */
function testId(html: string, id: string): string | null {
  const match = new RegExp(`data-testid="${id}"[^>]*>([^<]*)<`).exec(html);
  return match ? match[1]!.trim() : null;
}

interface ApiProgress {
  id: number;
  state: string;
  total: number;
  reached?: number;
  failed?: number;
  counts: Record<string, number>;
}

async function progress(messageId: number | string, token: string) {
  const response = await fetch(`${base}/api/v1/messages/${messageId}/progress`, {
    headers: { authorization: `Bearer ${token}` },
  });
  return { status: response.status, body: (await response.json()) as ApiProgress };
}

describe('GET /api/v1/messages/:id/progress is scoped like the page', () => {
  it("answers a teacher's token with their class's part of a district message", async () => {
    const { status, body } = await progress(world.sending, world.tokens.teacher);
    expect(status).toBe(200);
    const expected = (await databaseFigures(db, world.sending, world.teacherScope)).total;
    expect(body.total).toBe(6);
    expect(body.counts).toEqual(
      Object.fromEntries(DELIVERY_STATES.map((state) => [state, expected[state] ?? 0])),
    );
    expect(body.reached).toBe(2);
    expect(body.failed).toBe(1);
    // …which is what their dashboard shows them.
    const html = await page(`/staff/messages/${world.sending}`, world.cookies.teacher);
    expect(testId(html, 'total')).toBe(String(body.total));
    expect(testId(html, 'reached')).toBe(String(body.reached));
    expect(testId(html, 'failed')).toBe(String(body.failed));
  });

  it("answers the board with the whole district's counts", async () => {
    const { body } = await progress(world.sending, world.tokens.board);
    expect(body.total).toBe(18);
    expect(body.counts.queued).toBe(10);
  });

  it('refuses what the token may not see, and ids that are not ids, with 404', async () => {
    expect((await progress(world.schoolBOnly, world.tokens.teacher)).status).toBe(404);
    expect((await progress('abc', world.tokens.teacher)).status).toBe(404);
    expect((await progress('1e3', world.tokens.board)).status).toBe(404);
    expect((await progress(999_999, world.tokens.board)).status).toBe(404);
  });

  it("gives a teacher's token only their class's households on the call list", async () => {
    const response = await fetch(`${base}/api/v1/messages/${world.sending}/call-list`, {
      headers: { authorization: `Bearer ${world.tokens.teacher}` },
    });
    expect(response.status).toBe(200);
    const list = (await response.json()) as {
      groups: { grade: number; className: string; rows: { children: { name: string }[] }[] }[];
    };
    expect(list.groups.map((group) => `${group.grade}年${group.className}`)).toEqual(['1年1組']);
    const names = list.groups.flatMap((group) =>
      group.rows.flatMap((row) => row.children.map((child) => child.name)),
    );
    // The failed family and the unregistered one; never 4年1組's or another school's.
    expect(names.sort()).toEqual(['児童3', '未登録 花子'].sort());
  });
});

describe('the dashboard renders real figures on the server', () => {
  it('counts reached as accepted + delivered (delayed is still on its way), like the API', async () => {
    const html = await page(`/staff/messages/${world.sending}`, world.cookies.board);
    const { body } = await progress(world.sending, world.tokens.board);
    // 1年1組: accepted + delivered; 4年1組: 4 accepted. The delayed mail is not reached.
    expect(body.reached).toBe(6);
    expect(testId(html, 'reached')).toBe('6');
    expect(testId(html, 'total')).toBe('18');
    expect(testId(html, 'failed')).toBe('1');
    expect(testId(html, 'pending')).toBe('10');
    expect(testId(html, 'settled')).toBe('8 / 18');
    expect(testId(html, 'percent')).toBe('44%');
    expect(testId(html, 'message-state')).toBe('配信中');
  });

  it('reads 配信完了 with its real counts for a finished message, never 0 / 0', async () => {
    const html = await page(`/staff/messages/${world.done}`, world.cookies.teacher);
    expect(testId(html, 'message-state')).toBe('配信完了');
    expect(testId(html, 'percent')).toBe('100%');
    expect(testId(html, 'settled')).toBe('6 / 6');
    expect(testId(html, 'eta')).toBe('完了');
  });

  it('shows a real send rate and finish time in the first seconds of a send', async () => {
    // 4 of the class's 6 settled ten seconds into the send: about 0.4 a second, 2 to go.
    const html = await page(`/staff/messages/${world.sending}`, world.cookies.teacher);
    const rate = testId(html, 'rate');
    expect(rate).toMatch(/^\d+(\.\d)?件\/秒$/);
    expect(Number.parseFloat(rate!)).toBeGreaterThan(0);
    expect(testId(html, 'eta')).toMatch(/^あと約\d+秒$/);
  });

  it('says when the figures stand still, and offers a reload that needs no JavaScript', async () => {
    const html = await page(`/staff/messages/${world.sending}`, world.cookies.teacher);
    const noscript = /<noscript>([\s\S]*?)<\/noscript>/.exec(html)?.[1] ?? '';
    expect(noscript).toContain('自動更新は停止中');
    expect(noscript).toMatch(/<form[^>]*method="GET"/i);
  });
});

describe('the message list renders each message’s counts on the server', () => {
  it("shows a teacher their class's part of every message", async () => {
    const text = textOf(await page('/staff/messages', world.cookies.teacher));
    expect(text).toContain('配信中 · 4 / 6件');
    expect(text).toContain('配信完了 · 6 / 6件');
    expect(text).not.toContain('0 / 0件');
  });
});

describe('one rounding rule for 登録率', () => {
  /** The figure in the overview's row of the school. */
  function overviewRate(html: string, school: string): string | null {
    const row = html.split('<tr').find((part) => part.includes(school)) ?? '';
    return /(\d+(?:\.\d+)?%)/.exec(row)?.[1] ?? null;
  }

  it('reads the same on the overview and on the statistics page (29 of 30 is 96.6 %)', async () => {
    const overview = await page('/staff/overview', world.cookies.board);
    const statistics = await page('/staff/statistics', world.cookies.adminC);
    const schoolFigure = /<strong[^>]*>([\d.]+%)<\/strong>/.exec(statistics)?.[1];
    expect(overviewRate(overview, world.schoolCName)).toBe('96.6%');
    expect(schoolFigure).toBe('96.6%');
  });

  it('shows the latest sends’ reach and state on the overview as of its reading', async () => {
    const overview = await page('/staff/overview', world.cookies.board);
    const row = overview.split('<tr').find((part) => part.includes('臨時休校のお知らせ')) ?? '';
    expect(testId(row, 'recipients')).toBe('18');
    expect(testId(row, 'reach')).toBe('33.3%');
    expect(testId(row, 'message-state')).toBe('配信中');
    expect(testId(overview, 'as-of')).toMatch(/^\d\d:\d\d:\d\d 時点$/);
  });
});
