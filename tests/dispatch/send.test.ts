import { eq } from 'drizzle-orm';
import { simpleParser } from 'mailparser';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDb, progressCounts, schema, type Db, type DbHandle } from '@renraku/db';
import { createTestDatabase, type TestDatabase } from '@renraku/db/testing';
import type { MessageChanged, MessageFinished, MessageTarget } from '@renraku/shared';
import { createInProcessBus } from '@renraku/shared/bus';
import { blindIndex } from '@renraku/shared/crypto';
import { deliveryOfBounceTag } from '../../apps/dispatcher/src/mail';
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
  simpleFamilies,
  startTestDispatcher,
  waitFor,
} from './fixtures';
import { startSink, type Sink } from './smtp-sink';

// The dispatcher against the real PostgreSQL and an SMTP relay that accepts, defers and
// rejects by recipient: every delivery state, retries up to the limit, the mail itself,
// the status batches on the bus, and several dispatchers sharing one message.

let testDb: TestDatabase;
let db: Db;
let school: Awaited<ReturnType<typeof createSchool>>;
let teacher: Awaited<ReturnType<typeof createStaff>>;
let classIds: number[] = [];

async function newClass(name: string) {
  const klass = await createClass(db, school, 2, name);
  classIds.push(klass.id);
  return klass;
}

function send(target: MessageTarget) {
  return sendMessage(db, {
    districtId: school.districtId,
    schoolId: school.id,
    authorId: teacher.id,
    category: 'emergency_info',
    subject: 'クマの目撃情報',
    body: '本日午後、通学路付近でクマが目撃されました。\n下校時はご注意ください。',
    target,
  });
}

beforeAll(async () => {
  testDb = await createTestDatabase();
  db = testDb.handle.db;
  const district = await createDistrict(db);
  school = await createSchool(db, district.id, 'みなと第一小学校');
  teacher = await createStaff(db, district.id, 'teacher', '山田 花子', school.id);
});

afterAll(async () => {
  await testDb.drop();
});

describe('one dispatcher', () => {
  let sink: Sink;
  const changed: MessageChanged[] = [];
  const finished: MessageFinished[] = [];
  let messageId: number;

  const replies = ['d421', 'd450', 'd451', 'd452', 'r550', 'r553', 'r554', 'late451', 'late554'];

  beforeAll(async () => {
    classIds = [];
    const klass = await newClass('いちょう');
    await addFamilies(db, [
      ...simpleFamilies(klass, 20, (i) => `ok-${i}@${i % 2 ? 'docomo.ne.jp' : 'example.jp'}`),
      ...replies.map((prefix) => [{ klass, name: prefix, addresses: [`${prefix}-1@au.com`] }]),
      [{ klass, name: '再送 太郎', addresses: ['flaky-1@softbank.ne.jp'] }],
      [{ klass, name: '退会 次郎', addresses: ['gone@gmail.com'] }],
      [
        { klass, name: '兄 一郎', addresses: ['family@gmail.com'] },
        { klass, name: '妹 花子', addresses: ['family@gmail.com'] },
      ],
    ]);
    sink = await startSink();
    const bus = createInProcessBus();
    await bus.subscribe('messageChanged', (event) => changed.push(event));
    await bus.subscribe('messageFinished', (event) => finished.push(event));
    ({ id: messageId } = await send({ kind: 'classes', classIds }));
    // The parent withdraws the address after the send was confirmed, before it goes out.
    await db
      .delete(schema.addresses)
      .where(eq(schema.addresses.blindIndex, blindIndex(keys, 'gone@gmail.com')));
    const dispatcher = await startTestDispatcher(db, sink.url, { bus });
    await waitFor(() => messageDone(db, messageId));
    await dispatcher.stop();
  });

  afterAll(async () => {
    await sink.close();
  });

  const deliveryOf = async (address: string) => {
    const rows = await deliveriesOf(db, messageId);
    return rows.find((row) => row.blindIndex === blindIndex(keys, address))!;
  };

  it('accepts, defers until the attempts run out, and fails, each with its reply stored', async () => {
    expect(await progressCounts(db, messageId)).toMatchObject({
      messageState: 'done',
      total: 32,
      counts: { accepted: 22, failed: 10 },
    });
    for (const code of [450, 451, 452]) {
      const row = await deliveryOf(`d${code}-1@au.com`);
      expect(row).toMatchObject({ state: 'failed', attempts: 3, replyCode: code });
      expect(sink.attempts.get(`d${code}-1@au.com`)).toBe(3);
    }
    // 421 closes the connection: nodemailer may try once more on another connection within
    // an attempt, and then reports the closed connection instead of the reply.
    const closing = await deliveryOf('d421-1@au.com');
    expect(closing).toMatchObject({ state: 'failed', attempts: 3 });
    expect([421, null]).toContain(closing.replyCode);
    expect(sink.attempts.get('d421-1@au.com')).toBeGreaterThanOrEqual(3);
    for (const code of [550, 553, 554]) {
      const row = await deliveryOf(`r${code}-1@au.com`);
      expect(row).toMatchObject({ state: 'failed', attempts: 1, replyCode: code });
      expect(sink.attempts.get(`r${code}-1@au.com`)).toBe(1);
    }
    expect(await deliveryOf('late451-1@au.com')).toMatchObject({ state: 'failed', attempts: 3 });
    expect(await deliveryOf('late554-1@au.com')).toMatchObject({ state: 'failed', attempts: 1 });
    const flaky = await deliveryOf('flaky-1@softbank.ne.jp');
    expect(flaky).toMatchObject({ state: 'accepted', attempts: 3, replyCode: 250 });
    expect(flaky.acceptedAt).not.toBeNull();
    const gone = await deliveryOf('gone@gmail.com');
    expect(gone).toMatchObject({ state: 'failed', attempts: 0, replyCode: null });
    expect(gone.replyText).toMatch(/removed/);
    const rows = await deliveriesOf(db, messageId);
    expect(rows.every((row) => row.leaseOwner === null)).toBe(true);
    // Relays quote the recipient in their replies; what is stored never carries an address.
    expect(rows.some((row) => row.replyText?.includes('<recipient>'))).toBe(true);
    expect(rows.every((row) => !row.replyText?.includes('@'))).toBe(true);
    expect((await messageRow(db, messageId)).finishedAt).not.toBeNull();
  });

  it('sends each accepted address exactly once', () => {
    const received = sink.mails.map((mail) => mail.to).sort();
    const expected = [
      ...Array.from({ length: 20 }, (_, i) => `ok-${i}@${i % 2 ? 'docomo.ne.jp' : 'example.jp'}`),
      'family@gmail.com',
      'flaky-1@softbank.ne.jp',
    ].sort();
    expect(received).toEqual(expected);
    expect(new Set(sink.mails.map((mail) => mail.messageId)).size).toBe(22);
  });

  it('writes the mail as the school sends it, with a signed VERP return path', async () => {
    const mail = sink.mails.find((m) => m.to === 'ok-0@example.jp')!;
    const parsed = await simpleParser(mail.raw);
    expect(parsed.from?.value[0]).toEqual({
      name: 'みなと第一小学校',
      address: 'no-reply@renraku.test',
    });
    expect(parsed.subject).toBe('【緊急情報】クマの目撃情報');
    expect(parsed.headers.get('auto-submitted')).toBe('auto-generated');
    const listId = parsed.headerLines.find((header) => header.key === 'list-id')?.line ?? '';
    expect(listId).toMatch(
      /^List-ID: =\?UTF-8\?B\?.+\?= <[a-z0-9-]+\.d-[0-9a-f]+\.renraku\.test>$/s,
    );
    expect(parsed.date).toBeInstanceOf(Date);
    expect(parsed.text).toContain('通学路付近でクマが目撃されました');
    expect(parsed.text).toContain('送信者: みなと第一小学校（山田 花子）');
    expect(parsed.text).toContain('https://renraku.example.jp/login');
    const row = await deliveryOf('ok-0@example.jp');
    expect(parsed.messageId).toBe(`<renraku.${messageId}.${row.id}@renraku.test>`);
    const verp = /^bounce\+(\d+-[0-9a-f]+)@renraku\.test$/.exec(mail.envelopeFrom);
    expect(deliveryOfBounceTag(keys, verp![1]!)).toBe(row.id);
    expect(mail.envelopeFrom).not.toContain('ok-0');
  });

  it('sends siblings sharing an address one mail that names both', async () => {
    const mail = sink.mails.find((m) => m.to === 'family@gmail.com')!;
    const text = (await simpleParser(mail.raw)).text ?? '';
    expect(text.split('\n')[0]).toBe('お子さま: 兄 一郎さん、妹 花子さん');
    const single = sink.mails.find((m) => m.to === 'ok-1@docomo.ne.jp')!;
    expect((await simpleParser(single.raw)).text).not.toContain('お子さま');
  });

  it('announces each change of the message on the bus by its id alone', async () => {
    await waitFor(() => finished.length > 0);
    expect(finished).toEqual([{ messageId, state: 'done' }]);
    expect(changed.every((event) => JSON.stringify(event) === JSON.stringify({ messageId }))).toBe(
      true,
    );
    // The greylisted address was claimed and answered three times each, at retry intervals:
    // six writes apart from each other, each announced.
    expect(changed.length).toBeGreaterThanOrEqual(6);
    const published = JSON.stringify(changed);
    expect(published).not.toContain('@');
    expect(published).not.toMatch(/ok-\d|family|flaky/);
  });
});

describe('several dispatchers', () => {
  const handles: DbHandle[] = [];
  afterAll(async () => {
    await Promise.all(handles.map((handle) => handle.close()));
  });

  it('share one message without sending to anyone twice', async () => {
    classIds = [];
    const klass = await newClass('けやき');
    await addFamilies(
      db,
      simpleFamilies(klass, 200, (i) => `pair-${i}@example.jp`),
    );
    const sinks = [await startSink({ delayMs: 2 }), await startSink({ delayMs: 2 })];
    const { id } = await send({ kind: 'classes', classIds });
    const dispatchers = await Promise.all(
      sinks.map(async (sink) => {
        const handle = await createDb({ url: testDb.url, poolMax: 4 });
        handles.push(handle);
        return startTestDispatcher(handle.db, sink.url, { env: { DISPATCH_BATCH_SIZE: '10' } });
      }),
    );
    await waitFor(() => messageDone(db, id));
    await Promise.all(dispatchers.map((dispatcher) => dispatcher.stop()));
    const [a, b] = sinks.map((sink) => sink.mails.map((mail) => mail.messageId));
    expect(a!.length).toBeGreaterThan(0);
    expect(b!.length).toBeGreaterThan(0);
    expect(a!.filter((messageId) => b!.includes(messageId))).toEqual([]);
    expect(new Set([...a!, ...b!]).size).toBe(200);
    expect(a!.length + b!.length).toBe(200);
    await Promise.all(sinks.map((sink) => sink.close()));
  });

  it('gives back what it has not started when stopped, and another finishes it', async () => {
    classIds = [];
    const klass = await newClass('さくら');
    await addFamilies(
      db,
      simpleFamilies(klass, 120, (i) => `stop-${i}@example.jp`),
    );
    const sink = await startSink({ delayMs: 20 });
    const { id } = await send({ kind: 'classes', classIds });
    const first = await startTestDispatcher(db, sink.url, { env: { DISPATCH_CONCURRENCY: '2' } });
    await waitFor(() => sink.mails.length >= 10);
    await first.stop();
    const rows = await deliveriesOf(db, id);
    expect(rows.filter((row) => row.state === 'sending')).toEqual([]);
    const sentByFirst = sink.mails.length;
    expect(rows.filter((row) => row.state === 'accepted')).toHaveLength(sentByFirst);
    expect(sentByFirst).toBeLessThan(120);
    const second = await startTestDispatcher(db, sink.url, { env: { DISPATCH_CONCURRENCY: '8' } });
    await waitFor(() => messageDone(db, id));
    await second.stop();
    expect(sink.mails).toHaveLength(120);
    expect(new Set(sink.mails.map((mail) => mail.to)).size).toBe(120);
    await sink.close();
  });
});
