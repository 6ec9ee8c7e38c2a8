import { eq } from 'drizzle-orm';
import { fanOutDueMessage, schema } from '@renraku/db';
import { createInProcessBus } from '@renraku/shared/bus';
import type { MessageFinished } from '@renraku/shared';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sessionCookie } from '../live/harness';
import { createLoginStaff } from '../support/staff';
import { postForm, startSendWorld, tokenFor, type SendWorld } from './harness';

// 予約の取り消し through the message page's ?/cancel (a form post without JavaScript) and
// POST /api/v1/messages/:id/cancel: who may cancel whose message, what a refused cancel
// leaves (nothing), the audit and the messageFinished announcement, and what the pages show.

let world: SendWorld;
const finished: MessageFinished[] = [];
type Who = 'board' | 'adminA' | 'adminB' | 'teacherA11' | 'teacherA12' | 'otherBoard';
const cookies = {} as Record<Who, string>;
const tokens = {} as Record<Who, string>;
const HOUR = 3_600_000;

beforeAll(async () => {
  const bus = createInProcessBus();
  await bus.subscribe('messageFinished', (event) => finished.push(event));
  world = await startSendWorld({ bus });
  const { db, district, schools, classes, staff } = world;
  const teacherA12 = await createLoginStaff(db, {
    districtId: district.id,
    login: 'teacher-a12',
    displayName: '一年二組 担任',
    role: 'teacher',
    schoolId: schools.a.id,
    classId: classes.a12.id,
  });
  const ids: Record<Who, number> = {
    board: staff.board.id,
    adminA: staff.adminA.id,
    adminB: staff.adminB.id,
    teacherA11: staff.teacherA11.id,
    teacherA12: teacherA12.id,
    otherBoard: staff.otherBoard.id,
  };
  for (const [who, id] of Object.entries(ids) as [Who, number][]) {
    cookies[who] = await sessionCookie(db, id);
    tokens[who] = await tokenFor(db, id);
  }
});

afterAll(async () => {
  await world?.close();
});

function api(path: string, token: string, method = 'POST'): Promise<Response> {
  return fetch(`${world.base}/api/v1/messages${path}`, {
    method,
    headers: { authorization: `Bearer ${token}` },
  });
}

/** A message scheduled through the API by `who`, due in an hour unless said otherwise. */
async function schedule(who: Who, target: unknown, inMs = HOUR): Promise<number> {
  const response = await fetch(`${world.base}/api/v1/messages`, {
    method: 'POST',
    headers: { authorization: `Bearer ${tokens[who]}`, 'content-type': 'application/json' },
    body: JSON.stringify({
      category: 'education_info',
      subject: `遠足の延期（${who}）`,
      body: '明日の遠足は雨のため延期します。',
      target,
      scheduledAt: new Date(Date.now() + inMs).toISOString(),
    }),
  });
  expect(response.status).toBe(201);
  return ((await response.json()) as { id: number }).id;
}

const ownClass = () => ({ kind: 'classes', classIds: [world.classes.a11.id] });

async function messageRow(id: number) {
  const [row] = await world.db.select().from(schema.messages).where(eq(schema.messages.id, id));
  return row!;
}

async function cancelAudits(id: number) {
  const rows = await world.db
    .select()
    .from(schema.auditEvents)
    .where(eq(schema.auditEvents.action, 'message.cancel'));
  return rows.filter((row) => row.subjectId === String(id));
}

function cancelForm(who: Who, id: number | string, fields: Record<string, string> = {}) {
  return postForm(world.base, `/staff/messages/${id}?/cancel`, fields, cookies[who]);
}

const confirmed = { confirm: 'yes' };

/** Whatever a refused cancel must have left as it was. */
async function expectUnchanged(id: number) {
  expect(await messageRow(id)).toMatchObject({
    state: 'queued',
    fannedOutAt: null,
    finishedAt: null,
  });
  expect(await cancelAudits(id)).toHaveLength(0);
  expect(finished.some((event) => event.messageId === id)).toBe(false);
}

describe('the message page', () => {
  it('shows when a scheduled message will be sent (JST) and offers 「予約を取り消す」', async () => {
    const id = await schedule('teacherA11', ownClass());
    const page = await fetch(`${world.base}/staff/messages/${id}`, {
      headers: { cookie: cookies.teacherA11 },
    });
    expect(page.status).toBe(200);
    const html = await page.text();
    // As the staff pages write times: Japan's clock, whatever the server's time zone.
    const at = new Intl.DateTimeFormat('ja-JP', {
      timeZone: 'Asia/Tokyo',
      month: 'numeric',
      day: 'numeric',
      hour: '2-digit',
      minute: '2-digit',
    }).format((await messageRow(id)).scheduledAt!);
    expect(html).toContain(`${at}に送信します`);
    expect(html).toContain('action="?/cancel"');
    expect(html).toContain('予約を取り消す');
    expect(html).toContain('取り消します');
  });

  it('cancels with the ticked confirmation, audits it, announces it and shows 取り消し済み', async () => {
    const id = await schedule('teacherA11', ownClass());
    const response = await cancelForm('teacherA11', id, confirmed);
    expect(response.status).toBe(200);
    const html = await response.text();
    expect(html).toContain('取り消し済みです');
    expect(html).not.toContain('action="?/cancel"');

    const row = await messageRow(id);
    expect(row).toMatchObject({ state: 'cancelled', fannedOutAt: null });
    expect(row.finishedAt).not.toBeNull();
    const audits = await cancelAudits(id);
    expect(audits).toHaveLength(1);
    expect(audits[0]).toMatchObject({
      actorType: 'staff',
      actorId: world.staff.teacherA11.id,
      districtId: world.district.id,
      subjectType: 'message',
      detail: { channel: 'form', scheduledAt: row.scheduledAt!.toISOString(), apiTokenId: null },
    });
    expect(JSON.stringify(audits[0]!.detail)).not.toContain('@');
    await expect.poll(() => finished).toContainEqual({ messageId: id, state: 'cancelled' });

    // The page itself, opened again, says so too and offers nothing more.
    const again = await (
      await fetch(`${world.base}/staff/messages/${id}`, { headers: { cookie: cookies.adminA } })
    ).text();
    expect(again).toContain('取り消し済みです');
    expect(again).not.toContain('action="?/cancel"');
  });

  it('lists the cancelled message as 取り消し', async () => {
    const id = await schedule('adminA', {
      kind: 'grades',
      schoolId: world.schools.a.id,
      grades: [1],
    });
    expect((await cancelForm('adminA', id, confirmed)).status).toBe(200);
    const html = await (
      await fetch(`${world.base}/staff/messages`, { headers: { cookie: cookies.adminA } })
    ).text();
    const row = html.split('<tr').find((part) => part.includes(`/staff/messages/${id}"`));
    expect(row).toBeDefined();
    expect(row).toContain('取り消し');
    expect(row).not.toContain('配信待ち');
  });

  it('refuses without the ticked confirmation, and changes nothing', async () => {
    const id = await schedule('teacherA11', ownClass());
    for (const fields of [{}, { confirm: 'no' }] as Record<string, string>[]) {
      const response = await cancelForm('teacherA11', id, fields);
      expect(response.status).toBe(400);
      expect(await response.text()).toContain('「取り消します」にチェックを入れてください');
    }
    await expectUnchanged(id);
  });

  it('refuses a message that has started sending: 取り消せません', async () => {
    // Due in five minutes, before every other scheduled message of this file: the fan-out
    // a dispatcher would do takes it and nothing else.
    const id = await schedule('teacherA11', ownClass(), 5 * 60_000);
    expect(await fanOutDueMessage(world.db, new Date(Date.now() + 10 * 60_000))).toBe(id);
    const before = await messageRow(id);
    const response = await cancelForm('teacherA11', id, confirmed);
    expect(response.status).toBe(409);
    expect(await response.text()).toContain('取り消せません: 送信が始まっています');
    expect(await messageRow(id)).toEqual(before);
    expect(await cancelAudits(id)).toHaveLength(0);
  });

  it('refuses a second cancel: already cancelled', async () => {
    const id = await schedule('teacherA11', ownClass());
    expect((await cancelForm('teacherA11', id, confirmed)).status).toBe(200);
    const finishedAt = (await messageRow(id)).finishedAt;
    const response = await cancelForm('teacherA11', id, confirmed);
    expect(response.status).toBe(409);
    expect(await response.text()).toContain('すでに取り消されています');
    expect((await messageRow(id)).finishedAt).toEqual(finishedAt);
    expect(await cancelAudits(id)).toHaveLength(1);
  });

  it.each([
    ['a teacher of another class', 'teacherA12'],
    ["another school's admin", 'adminB'],
    ["another district's board", 'otherBoard'],
  ] as const)("is not found for %s (404), and the teacher's message stays", async (_, who) => {
    const id = await schedule('teacherA11', ownClass());
    const response = await cancelForm(who, id, confirmed);
    expect(response.status).toBe(404);
    await expectUnchanged(id);
  });

  it("shows a school admin the board's scheduled message without the form, and refuses its cancel", async () => {
    const id = await schedule('board', { kind: 'district' });
    const page = await (
      await fetch(`${world.base}/staff/messages/${id}`, { headers: { cookie: cookies.adminA } })
    ).text();
    expect(page).toContain('に送信します');
    expect(page).not.toContain('action="?/cancel"');
    const response = await cancelForm('adminA', id, confirmed);
    expect(response.status).toBe(403);
    expect(await response.text()).toContain('教育委員会の配信は教育委員会');
    await expectUnchanged(id);
  });

  it('is not found for an id that is not one, and changes nothing', async () => {
    const id = await schedule('teacherA11', ownClass());
    for (const bad of ['abc', '0', '-1', `${id}x`, '99999999999']) {
      expect((await cancelForm('board', bad, confirmed)).status).toBe(404);
    }
    await expectUnchanged(id);
  });
});

describe('POST /api/v1/messages/:id/cancel', () => {
  it('cancels for a school admin of the sending school, audits it, and progress says cancelled', async () => {
    const id = await schedule('teacherA11', ownClass());
    const response = await api(`/${id}/cancel`, tokens.adminA);
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ id, state: 'cancelled' });
    expect(await messageRow(id)).toMatchObject({ state: 'cancelled', fannedOutAt: null });
    const audits = await cancelAudits(id);
    expect(audits).toHaveLength(1);
    expect(audits[0]).toMatchObject({ actorId: world.staff.adminA.id, detail: { channel: 'api' } });
    expect((audits[0]!.detail as { apiTokenId: unknown }).apiTokenId).toEqual(expect.any(Number));
    await expect.poll(() => finished).toContainEqual({ messageId: id, state: 'cancelled' });

    const progress = await api(`/${id}/progress`, tokens.adminA, 'GET');
    expect(await progress.json()).toMatchObject({ id, state: 'cancelled', total: 0 });
  });

  it("lets the board cancel a school's message", async () => {
    const id = await schedule('adminA', { kind: 'schools', schoolIds: [world.schools.a.id] });
    expect((await api(`/${id}/cancel`, tokens.board)).status).toBe(200);
    expect((await messageRow(id)).state).toBe('cancelled');
  });

  it('answers 409 once cancelled, and 409 once sending has started', async () => {
    const cancelled = await schedule('board', { kind: 'district' });
    expect((await api(`/${cancelled}/cancel`, tokens.board)).status).toBe(200);
    const twice = await api(`/${cancelled}/cancel`, tokens.board);
    expect(twice.status).toBe(409);
    expect(await twice.json()).toMatchObject({ error: 'already_cancelled' });

    const now = await fetch(`${world.base}/api/v1/messages`, {
      method: 'POST',
      headers: { authorization: `Bearer ${tokens.board}`, 'content-type': 'application/json' },
      body: JSON.stringify({
        category: 'emergency_contact',
        subject: '臨時休校',
        body: '本日は臨時休校とします。',
        target: { kind: 'district' },
      }),
    });
    const { id: sent } = (await now.json()) as { id: number };
    const before = await messageRow(sent);
    const started = await api(`/${sent}/cancel`, tokens.board);
    expect(started.status).toBe(409);
    expect(await started.json()).toMatchObject({ error: 'already_started' });
    expect(await messageRow(sent)).toEqual(before);
    expect(await cancelAudits(sent)).toHaveLength(0);
  });

  it.each([
    ['a teacher of another class', 'teacherA12', 404, 'not_found'],
    ["another school's admin", 'adminB', 404, 'not_found'],
    ["another district's board", 'otherBoard', 404, 'not_found'],
  ] as const)('answers %s with %i, changing nothing', async (_, who, status, error) => {
    const id = await schedule('teacherA11', ownClass());
    const response = await api(`/${id}/cancel`, tokens[who]);
    expect(response.status).toBe(status);
    expect(await response.json()).toMatchObject({ error });
    await expectUnchanged(id);
  });

  it("answers a school admin 403 for the board's message it can see, a teacher 404", async () => {
    const id = await schedule('board', { kind: 'schools', schoolIds: [world.schools.a.id] });
    const admin = await api(`/${id}/cancel`, tokens.adminA);
    expect(admin.status).toBe(403);
    expect(await admin.json()).toMatchObject({ error: 'outside_scope' });
    expect((await api(`/${id}/cancel`, tokens.teacherA11)).status).toBe(404);
    await expectUnchanged(id);
  });

  it('answers 404 for an id that is not one or does not exist, and 401 without a token', async () => {
    const id = await schedule('teacherA11', ownClass());
    for (const bad of ['abc', '0', '1.5', '99999999999', '987654']) {
      const response = await api(`/${bad}/cancel`, tokens.board);
      expect(response.status).toBe(404);
      expect(await response.json()).toMatchObject({ error: 'not_found' });
    }
    const anonymous = await fetch(`${world.base}/api/v1/messages/${id}/cancel`, {
      method: 'POST',
    });
    expect(anonymous.status).toBe(401);
    await expectUnchanged(id);
  });
});
