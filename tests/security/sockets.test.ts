import { eq } from 'drizzle-orm';
import { schema, type Db } from '@renraku/db';
import { createTestDatabase, type TestDatabase } from '@renraku/db/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addFamilies, createDistrictWithClass, sendMessage } from '../dispatch/fixtures';
import {
  connected,
  openSocket,
  sessionCookie,
  startTestWeb,
  type RunningWeb,
  type TestSocket,
} from '../live/harness';

// Issue 12 item 24, the probe: a script on a staff session floods callList:mark. Past ten
// marks a second a socket gets an error ack and nothing is stored or broadcast for it.

let database: TestDatabase;
let db: Db;
let web: RunningWeb;
let base: string;
let socket: TestSocket;
let messageId: number;
let householdId: number;

beforeAll(async () => {
  database = await createTestDatabase();
  db = database.handle.db;
  const { district, board, klass } = await createDistrictWithClass(db, 'みなと第一小学校');
  const { householdIds } = await addFamilies(db, [[{ klass, name: '未登録 花子', addresses: [] }]]);
  householdId = householdIds[0]!;
  ({ id: messageId } = await sendMessage(db, {
    districtId: district.id,
    authorId: board.id,
    target: { kind: 'district' },
  }));
  ({ web, base } = await startTestWeb(database));
  socket = openSocket(base, await sessionCookie(db, board.id));
  await connected(socket);
});

afterAll(async () => {
  socket?.close();
  await web?.close();
  await database?.drop();
});

type MarkAck = { ok: true } | { ok: false; error: string };

function mark(value: 'calling' | 'reached' | null): Promise<MarkAck> {
  return new Promise((resolve) =>
    socket.emit('callList:mark', { messageId, householdId, mark: value }, (ack) => resolve(ack)),
  );
}

async function storedMarks(): Promise<number> {
  const rows = await db
    .select()
    .from(schema.auditEvents)
    .where(eq(schema.auditEvents.action, 'callList.mark'));
  return rows.length;
}

describe('callList:mark flood (item 24)', () => {
  it('marks as a person does', async () => {
    expect(await mark('calling')).toMatchObject({ ok: true });
    expect(await storedMarks()).toBe(1);
  });

  it('refuses a burst past the limit with an error ack, storing nothing for it', async () => {
    const before = await storedMarks();
    const acks = await Promise.all(
      Array.from({ length: 40 }, (_, i) => mark(i % 2 === 0 ? 'reached' : null)),
    );
    const accepted = acks.filter((ack) => ack.ok).length;
    const refused = acks.filter((ack) => !ack.ok);
    expect(refused.length).toBeGreaterThan(0);
    expect(refused.every((ack) => !ack.ok && ack.error === 'rate_limited')).toBe(true);
    expect(accepted).toBeGreaterThan(0);
    expect(await storedMarks()).toBe(before + accepted);
  });
});
