import { eq, inArray, sql } from 'drizzle-orm';
import { runRetention } from '@renraku/core/retention';
import { rowsOf, schema, type Db } from '@renraku/db';
import { createTestDatabase, type TestDatabase } from '@renraku/db/testing';
import { loadDispatcherEnv } from '@renraku/dispatcher';
import type { RetentionPolicy } from '@renraku/shared/retention';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { lastRetentionHour } from '../../apps/dispatcher/src/retention';
import {
  addFamilies,
  createDistrictWithClass,
  deliveriesOf,
  sendMessage,
} from '../dispatch/fixtures';
import { runCli } from '../support/cli';

// Retention on the real PostgreSQL: what a run deletes and what it keeps, the dry run that
// counts the same and deletes nothing, the audit trail's record, the CLI's door, and periods
// that stop the start.

const POLICY: RetentionPolicy = { messagesDays: 1095, unparsedBouncesDays: 90, tokensDays: 7 };

let database: TestDatabase;
let db: Db;
let districtId: number;
let oldMessage: number;
let newMessage: number;
/** Graduated: one only the old message names, one the new message names too. */
let leftAlone: number;
let leftNamed: number;

async function count(table: string, where = sql`true`): Promise<number> {
  const [row] = rowsOf<{ n: number }>(
    await db.execute(sql`select count(*)::int as n from ${sql.identifier(table)} where ${where}`),
  );
  return row!.n;
}

/** What a run may touch, counted, so that a dry run can be shown to change nothing. */
async function snapshot() {
  return {
    messages: await count('messages'),
    deliveries: await count('deliveries'),
    confirmations: await count('confirmations'),
    students: await count('students'),
    households: await count('households'),
    bounces: await count('bounce_reports'),
    tokens: await count('registration_tokens'),
    attachments: await count('attachments'),
    audits: await count('audit_events', sql`action = 'retention.run'`),
  };
}

beforeAll(async () => {
  database = await createTestDatabase();
  db = database.handle.db;
  const world = await createDistrictWithClass(db, 'みなと小学校');
  districtId = world.district.id;
  const { studentIds } = await addFamilies(db, [
    [{ klass: world.klass, name: '卒業 一郎', addresses: ['one@example.jp'] }],
    [{ klass: world.klass, name: '卒業 二郎', addresses: ['two@example.jp'] }],
    [{ klass: world.klass, name: '在籍 三郎', addresses: ['three@example.jp'] }],
  ]);
  [leftAlone = 0, leftNamed = 0] = studentIds;
  const send = async () =>
    (
      await sendMessage(db, {
        districtId,
        authorId: world.board.id,
        target: { kind: 'classes', classIds: [world.klass.id] },
      })
    ).id;
  oldMessage = await send();
  // The old message: finished four years ago, answered, with an unparsed bounce report.
  const [delivery] = await deliveriesOf(db, oldMessage);
  await db.execute(sql`update messages set state = 'done',
    finished_at = now() - interval '4 years' where id = ${oldMessage}`);
  await db.insert(schema.confirmations).values({
    messageId: oldMessage,
    householdId: (await db.select().from(schema.households).limit(1))[0]!.id,
    deliveryId: delivery!.id,
    choice: 0,
    channel: 'link',
  });
  // The new message names only 卒業 二郎 and 在籍 三郎 (卒業 一郎 left before it).
  await db
    .update(schema.students)
    .set({ status: 'graduated' })
    .where(eq(schema.students.id, leftAlone));
  newMessage = await send();
  await db
    .update(schema.students)
    .set({ status: 'graduated' })
    .where(eq(schema.students.id, leftNamed));
  const [recent] = await deliveriesOf(db, newMessage);
  await db.insert(schema.bounceReports).values([
    { deliveryId: recent!.id, kind: 'unparsed', createdAt: sql`now() - interval '100 days'` },
    { deliveryId: recent!.id, kind: 'unparsed', createdAt: sql`now() - interval '10 days'` },
    { deliveryId: recent!.id, kind: 'failed', createdAt: sql`now() - interval '100 days'` },
  ]);
  // Two uploads never sent: one abandoned two days ago, one of a form still open.
  const upload = (fileName: string) => ({
    districtId,
    uploaderId: world.board.id,
    fileName,
    contentType: 'application/pdf',
    byteSize: 9,
    sha256: 'not-checked',
    content: Buffer.from('%PDF-1.4\n'),
  });
  await db
    .insert(schema.attachments)
    .values([
      { ...upload('abandoned.pdf'), createdAt: sql`now() - interval '2 days'` },
      upload('open-form.pdf'),
    ]);
  await db.insert(schema.registrationTokens).values([
    { tokenHash: 'spent', purpose: 'register', expiresAt: sql`now() - interval '10 days'` },
    { tokenHash: 'fresh', purpose: 'register', expiresAt: sql`now() - interval '1 day'` },
  ]);
});
afterAll(async () => {
  await database?.drop();
});

describe('retention', () => {
  it('counts in a dry run exactly what a run then deletes, and deletes nothing itself', async () => {
    const before = await snapshot();
    const dry = await runRetention(db, POLICY, { dryRun: true });
    expect(await snapshot()).toEqual(before);
    const oldDeliveries = (await deliveriesOf(db, oldMessage)).length;
    expect(dry).toEqual({
      dryRun: true,
      districts: [
        {
          districtId,
          messages: 1,
          deliveries: oldDeliveries,
          answers: 1,
          // 卒業 一郎: only the old message named him. 卒業 二郎 stays for the new one.
          leftStudents: 1,
          households: 1,
        },
      ],
      installation: { unparsedBounces: 1, tokens: 1, sessions: 0, unsentAttachments: 1 },
    });

    const run = await runRetention(db, POLICY);
    expect(run).toEqual({ ...dry, dryRun: false });
    const after = await snapshot();
    expect(after).toMatchObject({
      messages: before.messages - 1,
      deliveries: before.deliveries - oldDeliveries,
      confirmations: before.confirmations - 1,
      students: before.students - 1,
      households: before.households - 1,
      // The recent unparsed report and the parsed one stay.
      bounces: before.bounces - 1,
      tokens: before.tokens - 1,
      attachments: before.attachments - 1,
      audits: 1,
    });
    const kept = await db
      .select({ id: schema.students.id })
      .from(schema.students)
      .where(inArray(schema.students.id, [leftAlone, leftNamed]));
    expect(kept).toEqual([{ id: leftNamed }]);
    expect(await count('messages', sql`id = ${newMessage}`)).toBe(1);

    const [audit] = await db
      .select()
      .from(schema.auditEvents)
      .where(eq(schema.auditEvents.action, 'retention.run'));
    expect(audit).toMatchObject({ districtId, actorType: 'system', actorId: null });
    expect(audit!.detail).toMatchObject({ messages: 1, answers: 1, unparsedBounces: 1, tokens: 1 });

    // Nothing is left to delete: a second run finds nothing.
    expect((await runRetention(db, POLICY))?.districts[0]).toMatchObject({
      messages: 0,
      deliveries: 0,
      leftStudents: 0,
    });
  });

  it('runs from the CLI, a dry run by --dry-run, and refuses a bad period by its name', async () => {
    const cli = (args: string[], env: Record<string, string> = {}) =>
      runCli(args, { DATABASE_URL: database.url, ...env });
    const audits = await count('audit_events', sql`action = 'retention.run'`);
    const dry = await cli(['retention', '--dry-run', '--json']);
    expect(dry.code).toBe(0);
    expect(JSON.parse(dry.stdout)).toMatchObject({ dryRun: true });
    expect(await count('audit_events', sql`action = 'retention.run'`)).toBe(audits);

    const bad = await cli(['retention', '--dry-run'], { RETAIN_MESSAGES_DAYS: 'three years' });
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain('RETAIN_MESSAGES_DAYS: must be a number');
  });

  it('stops the dispatcher’s start on a bad period, naming the variable', () => {
    const env = { SMTP_URL: 'smtp://127.0.0.1:2525' };
    expect(() => loadDispatcherEnv({ ...env, RETAIN_UNPARSED_BOUNCES_DAYS: '0' })).toThrow(
      /RETAIN_UNPARSED_BOUNCES_DAYS: must be above 0/,
    );
    expect(() => loadDispatcherEnv({ ...env, RETENTION_HOUR_JST: '24' })).toThrow(
      /RETENTION_HOUR_JST: must be 0–23/,
    );
    expect(loadDispatcherEnv(env).retention).toEqual({ policy: POLICY, hourJst: 3 });
  });

  it('runs nightly from 03:00 Japan time: the last such hour at or before now', () => {
    // 02:59 JST on 12-03 is before that night's hour: the run due is 03:00 on 12-02.
    expect(lastRetentionHour(new Date('2026-12-03T02:59:00+09:00'), 3).toISOString()).toBe(
      '2026-12-01T18:00:00.000Z',
    );
    expect(lastRetentionHour(new Date('2026-12-03T03:00:00+09:00'), 3).toISOString()).toBe(
      '2026-12-02T18:00:00.000Z',
    );
    expect(lastRetentionHour(new Date('2026-12-03T23:30:00+09:00'), 3).toISOString()).toBe(
      '2026-12-02T18:00:00.000Z',
    );
  });
});
