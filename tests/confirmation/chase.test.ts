import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eq, sql } from 'drizzle-orm';
import { simpleParser } from 'mailparser';
import { recordConfirmations, schema, type Db } from '@renraku/db';
import { createTestDatabase, type TestDatabase } from '@renraku/db/testing';
import { resendUnconfirmed } from '@renraku/core/confirmation';
import { confirmRequestOf, ServiceError, type StaffScope } from '@renraku/shared';
import { createInProcessBus, type Bus } from '@renraku/shared/bus';
import { deliveryOfConfirmToken, deliveryOfReplyTag } from '@renraku/shared/confirm-token';
import { blindIndex } from '@renraku/shared/crypto';
import { createLogger } from '@renraku/shared/logger';
import {
  addFamilies,
  createClass,
  createDistrict,
  createSchool,
  createStaff,
  deliveriesOf,
  keys,
  messageDone,
  messageRow,
  sendMessage,
  startTestDispatcher,
  waitFor,
} from '../dispatch/fixtures';
import { startSink, type Sink } from '../dispatch/smtp-sink';

// 追いかけ through a real dispatcher, real PostgreSQL and a real SMTP relay: the confirming
// mail's link and Reply-To, the staff's re-send to the unconfirmed households of their scope
// (idempotent within a minute, audited), the chase at the deadline to the households left, and
// the escalation after the same interval again.

let database: TestDatabase;
let db: Db;
let sink: Sink;
let bus: Bus;
let dispatcher: { stop(): Promise<void> };
let rootId: number;
let households: number[];
let teacher: { id: number; scope: StaffScope; apiTokenId: null };
let board: { id: number; scope: StaffScope; apiTokenId: null };
let otherTeacher: { id: number; scope: StaffScope; apiTokenId: null };
const changed: number[] = [];
const ctx = () => ({ db, bus, logger: createLogger('chase-test', 'warn') });

/** The households a re-send's roster snapshot holds. */
async function householdsOf(messageId: number): Promise<number[]> {
  const rows = await db
    .selectDistinct({ householdId: schema.messageStudents.householdId })
    .from(schema.messageStudents)
    .where(eq(schema.messageStudents.messageId, messageId));
  return rows.map((row) => row.householdId).sort((a, b) => a - b);
}

async function resendsOf(messageId: number) {
  return db
    .select()
    .from(schema.messages)
    .where(eq(schema.messages.resendOf, messageId))
    .orderBy(schema.messages.id);
}

beforeAll(async () => {
  database = await createTestDatabase();
  db = database.handle.db;
  sink = await startSink();
  bus = createInProcessBus();
  await bus.subscribe('messageChanged', (event) => void changed.push(event.messageId));
  const district = await createDistrict(db);
  const boardRow = await createStaff(db, district.id, 'board', '教育委員会');
  const school = await createSchool(db, district.id, 'みなと小学校');
  const otherSchool = await createSchool(db, district.id, 'みなと中学校', 'junior_high');
  const c1 = await createClass(db, school, 1, '1組');
  const c2 = await createClass(db, school, 2, '1組');
  const teacherRow = await createStaff(db, district.id, 'teacher', '山田 花子', school.id);
  board = { id: boardRow.id, scope: { role: 'board', districtId: district.id }, apiTokenId: null };
  teacher = {
    id: teacherRow.id,
    scope: { role: 'teacher', districtId: district.id, schoolId: school.id, classId: c1.id },
    apiTokenId: null,
  };
  otherTeacher = {
    id: teacherRow.id,
    scope: { role: 'teacher', districtId: district.id, schoolId: otherSchool.id, classId: 999 },
    apiTokenId: null,
  };
  ({ householdIds: households } = await addFamilies(db, [
    // 0: confirms.
    [{ klass: c1, name: '青木 一郎', addresses: ['aoki@example.jp'] }],
    // 1: reached, does not confirm.
    [{ klass: c1, name: '井上 二郎', addresses: ['inoue@docomo.ne.jp'] }],
    // 2: the relay refuses its address, still live: chased (a new address may exist by then).
    [{ klass: c1, name: '上田 三郎', addresses: ['r550-ueda@example.jp'] }],
    // 3: the other class, does not confirm: only the board's or the deadline's chase reaches it.
    [{ klass: c2, name: '江藤 四郎', addresses: ['eto@example.jp', 'eto2@example.jp'] }],
    // 4: its only address is dead: nothing can reach it, so it is not chased.
    [{ klass: c1, name: '小野 五郎', addresses: [{ address: 'ono@example.jp', health: 'dead' }] }],
    // 5: unregistered.
    [{ klass: c2, name: '加藤 六郎', addresses: [] }],
  ]));
  dispatcher = await startTestDispatcher(db, sink.url, { bus });
  ({ id: rootId } = await sendMessage(db, {
    districtId: district.id,
    schoolId: school.id,
    authorId: boardRow.id,
    target: { kind: 'schools', schoolIds: [school.id] },
    confirm: confirmRequestOf('emergency_contact', { deadlineMinutes: 10 }),
  }));
  await waitFor(() => messageDone(db, rootId));
});

afterAll(async () => {
  await dispatcher?.stop();
  await sink?.close();
  await database?.drop();
});

describe('the confirming send', () => {
  it('gives every mail its own link and Reply-To, in UTF-8 and ISO-2022-JP', async () => {
    const deliveries = await deliveriesOf(db, rootId);
    expect(deliveries).toHaveLength(5);
    const mails = sink.mails.filter((mail) => mail.messageId.includes(`renraku.${rootId}.`));
    expect(mails).toHaveLength(4);
    const charsets = mails.map((mail) => /charset=([\w-]+)/i.exec(mail.raw)![1]!.toLowerCase());
    // inoue@docomo.ne.jp is a feature phone's.
    expect(charsets.sort()).toEqual(['iso-2022-jp', 'utf-8', 'utf-8', 'utf-8']);
    for (const mail of mails) {
      const parsed = await simpleParser(mail.raw);
      const deliveryId = Number(/renraku\.\d+\.(\d+)@/.exec(mail.messageId)![1]);
      const token = /\/c\/([0-9A-Za-z_-]+)/.exec(parsed.text ?? '')![1]!;
      expect(deliveryOfConfirmToken(keys, token)).toBe(deliveryId);
      const tag = /^reply\+(.+)@renraku\.test$/.exec(parsed.replyTo!.value[0]!.address!)![1]!;
      expect(deliveryOfReplyTag(keys, tag)).toBe(deliveryId);
    }
  });
});

describe('resendUnconfirmed', () => {
  it('re-sends a teacher’s unconfirmed households of their class only, audited', async () => {
    const aoki = (await deliveriesOf(db, rootId)).find(
      (d) => d.blindIndex === blindIndex(keys, 'aoki@example.jp'),
    )!;
    await recordConfirmations(db, [
      { deliveryId: aoki.id, choice: 0, channel: 'link', replyWords: null },
    ]);
    changed.length = 0;
    expect(await resendUnconfirmed(ctx(), teacher, rootId, 'form')).toEqual({ sent: 2 });
    const [resend] = await resendsOf(rootId);
    expect(resend).toMatchObject({
      subject: '【再送】臨時休校のお知らせ',
      authorId: teacher.id,
      confirmDeadlineAt: null,
      confirm: { preset: 'ack', deadlineMinutes: 10 },
    });
    expect(await householdsOf(resend!.id)).toEqual([households[1], households[2]].sort());
    await waitFor(() => messageDone(db, resend!.id));
    const resent = sink.mails.filter((mail) => mail.messageId.includes(`renraku.${resend!.id}.`));
    expect(resent.map((mail) => mail.to)).toEqual(['inoue@docomo.ne.jp']);
    expect((await simpleParser(resent[0]!.raw)).subject).toBe(
      '【緊急連絡】【再送】臨時休校のお知らせ',
    );
    expect(changed).toContain(rootId);
    const audits = await db
      .select()
      .from(schema.auditEvents)
      .where(eq(schema.auditEvents.action, 'message.resend_unconfirmed'));
    expect(audits).toHaveLength(1);
    expect(audits[0]).toMatchObject({ actorId: teacher.id, subjectId: String(rootId) });
    expect(JSON.stringify(audits[0]!.detail)).not.toContain('@');
  });

  it('sends nothing for a repeat within a minute, by anyone', async () => {
    expect(await resendUnconfirmed(ctx(), board, rootId, 'api')).toEqual({ sent: 0 });
    expect(await resendUnconfirmed(ctx(), teacher, rootId, 'form')).toEqual({ sent: 0 });
    expect(await resendsOf(rootId)).toHaveLength(1);
  });

  it('answers outside the scope as if the message did not exist', async () => {
    await expect(resendUnconfirmed(ctx(), otherTeacher, rootId, 'api')).rejects.toMatchObject({
      kind: 'not_found',
    });
    await expect(resendUnconfirmed(ctx(), board, 999_999, 'api')).rejects.toBeInstanceOf(
      ServiceError,
    );
  });

  it('refuses a message that asks for no confirmation', async () => {
    const { id } = await sendMessage(db, {
      districtId: board.scope.districtId,
      authorId: board.id,
      target: { kind: 'district' },
      confirm: null,
    });
    await expect(resendUnconfirmed(ctx(), board, id, 'api')).rejects.toMatchObject({
      kind: 'conflict',
    });
  });

  it('counts an answer to the re-send for the message it chases', async () => {
    const [resend] = await resendsOf(rootId);
    const inoue = (await deliveriesOf(db, resend!.id))[0]!;
    const [outcome] = await recordConfirmations(db, [
      { deliveryId: inoue.id, choice: 0, channel: 'link', replyWords: null },
    ]);
    expect(outcome).toMatchObject({ kind: 'recorded', messageId: rootId, households: 1 });
  });
});

describe('the chase at the deadline', () => {
  it('re-sends once to the households nobody re-sent to, then escalates', async () => {
    changed.length = 0;
    await db
      .update(schema.messages)
      .set({ confirmDeadlineAt: sql`now() - interval '1 second'` })
      .where(eq(schema.messages.id, rootId));
    await waitFor(async () => (await messageRow(db, rootId)).chasedAt !== null);
    const resends = await resendsOf(rootId);
    expect(resends).toHaveLength(2);
    const chase = resends[1]!;
    expect(chase).toMatchObject({ authorId: null, subject: '【再送】臨時休校のお知らせ' });
    // 2 was re-sent to by the teacher within the interval; 0 and 1 confirmed; 4 and 5 have no live address.
    expect(await householdsOf(chase.id)).toEqual([households[3]]);
    await waitFor(() => messageDone(db, chase.id));
    const mailed = sink.mails
      .filter((mail) => mail.messageId.includes(`renraku.${chase.id}.`))
      .map((mail) => mail.to)
      .sort();
    expect(mailed).toEqual(['eto2@example.jp', 'eto@example.jp']);
    expect((await messageRow(db, rootId)).escalatedAt).toBeNull();
    expect(changed).toContain(rootId);

    // The same interval again: the households still unconfirmed go on the call list.
    changed.length = 0;
    await db
      .update(schema.messages)
      .set({ confirmDeadlineAt: sql`now() - interval '10 minutes 1 second'` })
      .where(eq(schema.messages.id, rootId));
    await waitFor(async () => (await messageRow(db, rootId)).escalatedAt !== null);
    expect(changed).toContain(rootId);
    // Chased once: no further re-send.
    expect(await resendsOf(rootId)).toHaveLength(2);
    const [unchanged] = await db
      .select({ chasedAt: schema.messages.chasedAt })
      .from(schema.messages)
      .where(eq(schema.messages.id, rootId));
    expect(unchanged!.chasedAt).not.toBeNull();
  });
});
