import { schema } from '@renraku/db';
import { createTestDatabase, type TestDatabase } from '@renraku/db/testing';
import { hashToken } from '@renraku/shared/crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  endSession,
  isSessionLive,
  needsTouch,
  resumeSession,
  sessionPolicy,
  startSession,
  type SessionPolicy,
} from './sessions';

const MINUTE = 60_000;
const policy: SessionPolicy = { idleMs: 30 * MINUTE, maxMs: 12 * 60 * MINUTE };
const loginAt = new Date('2026-04-06T08:00:00+09:00');
const at = (minutes: number) => new Date(loginAt.getTime() + minutes * MINUTE);

describe('sessionPolicy', () => {
  it('gives staff and parents their own idle timeout and one absolute limit', () => {
    const config = { staffIdleMinutes: 30, parentIdleMinutes: 60, maxHours: 12 };
    expect(sessionPolicy(config, 'staff')).toEqual({ idleMs: 30 * MINUTE, maxMs: 720 * MINUTE });
    expect(sessionPolicy(config, 'parent')).toEqual({ idleMs: 60 * MINUTE, maxMs: 720 * MINUTE });
  });
});

describe('isSessionLive', () => {
  const session = { lastSeenAt: loginAt, expiresAt: at(12 * 60) };

  it('is live while used within the idle timeout', () => {
    expect(isSessionLive(session, policy, at(29))).toBe(true);
  });

  it('ends after the idle timeout without activity', () => {
    expect(isSessionLive(session, policy, at(30))).toBe(false);
  });

  it('ends at the absolute limit however active', () => {
    expect(isSessionLive({ ...session, lastSeenAt: at(12 * 60 - 1) }, policy, at(12 * 60))).toBe(
      false,
    );
  });
});

describe('needsTouch', () => {
  it('records activity at most once a minute', () => {
    expect(needsTouch({ lastSeenAt: loginAt }, at(0.5))).toBe(false);
    expect(needsTouch({ lastSeenAt: loginAt }, at(1))).toBe(true);
  });
});

describe('stored sessions', () => {
  let database: TestDatabase;
  let staffUserId: number;

  beforeAll(async () => {
    database = await createTestDatabase();
    const { db } = database.handle;
    const [district] = await db
      .insert(schema.districts)
      .values({ code: 'test', name: 'テスト市教育委員会' })
      .returning();
    const [staff] = await db
      .insert(schema.staffUsers)
      .values({
        districtId: district!.id,
        login: 'board1',
        passwordHash: 'unused',
        displayName: '委員会 太郎',
        role: 'board',
      })
      .returning();
    staffUserId = staff!.id;
  });

  afterAll(async () => {
    await database?.drop();
  });

  const rowOf = async (token: string) => {
    const rows = await database.handle.db.select().from(schema.sessions);
    return rows.find((row) => row.idHash === hashToken(token));
  };

  it('stores only the hash of the token, with the absolute end', async () => {
    const token = await startSession(
      database.handle.db,
      { kind: 'staff', staffUserId },
      policy,
      loginAt,
    );
    const row = await rowOf(token);
    expect(row?.idHash).toBe(hashToken(token));
    expect(row?.idHash).not.toContain(token);
    expect(row?.expiresAt).toEqual(at(12 * 60));
  });

  it('gives a new random token at each login', async () => {
    const owner = { kind: 'staff', staffUserId } as const;
    const first = await startSession(database.handle.db, owner, policy, loginAt);
    const second = await startSession(database.handle.db, owner, policy, loginAt);
    expect(first).not.toBe(second);
    expect(first.length).toBeGreaterThanOrEqual(43);
  });

  it('resumes a live session and records the activity', async () => {
    const { db } = database.handle;
    const token = await startSession(db, { kind: 'staff', staffUserId }, policy, loginAt);
    const resumed = await resumeSession(db, 'staff', token, policy, at(20));
    expect(resumed?.staffUserId).toBe(staffUserId);
    expect((await rowOf(token))?.lastSeenAt).toEqual(at(20));
    // Still live 20 minutes after that activity, though 40 after login.
    expect(await resumeSession(db, 'staff', token, policy, at(40))).toBeDefined();
  });

  it('deletes a session found idle too long', async () => {
    const { db } = database.handle;
    const token = await startSession(db, { kind: 'staff', staffUserId }, policy, loginAt);
    expect(await resumeSession(db, 'staff', token, policy, at(31))).toBeUndefined();
    expect(await rowOf(token)).toBeUndefined();
  });

  it('refuses a token of the other kind, an unknown token and garbage', async () => {
    const { db } = database.handle;
    const token = await startSession(db, { kind: 'staff', staffUserId }, policy, loginAt);
    expect(await resumeSession(db, 'parent', token, policy, at(1))).toBeUndefined();
    expect(await resumeSession(db, 'staff', 'not-a-session', policy, at(1))).toBeUndefined();
    expect(
      await resumeSession(db, 'staff', "'; --\u3042".repeat(1000), policy, at(1)),
    ).toBeUndefined();
  });

  it('ends a session for good at logout', async () => {
    const { db } = database.handle;
    const token = await startSession(db, { kind: 'staff', staffUserId }, policy, loginAt);
    await endSession(db, token);
    expect(await rowOf(token)).toBeUndefined();
    expect(await resumeSession(db, 'staff', token, policy, at(1))).toBeUndefined();
  });
});
