import { eq, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rateLimits } from '../schema';
import { createTestDatabase, type TestDatabase } from '../testing';
import {
  clearCount,
  countSlidingEvent,
  currentCount,
  hitRateLimit,
  pruneRateLimits,
  refundRateLimit,
} from './rate-limits';

let database: TestDatabase;

beforeAll(async () => {
  database = await createTestDatabase();
});

afterAll(async () => {
  await database?.drop();
});

/** Moves a window's end into the past, as if its time had run out. */
async function expireWindow(key: string): Promise<void> {
  await database.handle.db
    .update(rateLimits)
    .set({ windowEndsAt: sql`now() - interval '1 second'` })
    .where(eq(rateLimits.key, key));
}

describe('hitRateLimit', () => {
  it('allows up to the limit in a window, then refuses with the time left', async () => {
    const { db } = database.handle;
    const results = [];
    for (let attempt = 0; attempt < 4; attempt++) {
      results.push(await hitRateLimit(db, 'test:sequential', 3, 600));
    }
    expect(results.slice(0, 3)).toEqual([
      { allowed: true, retryAfterSeconds: 0 },
      { allowed: true, retryAfterSeconds: 0 },
      { allowed: true, retryAfterSeconds: 0 },
    ]);
    expect(results[3]?.allowed).toBe(false);
    expect(results[3]?.retryAfterSeconds).toBeGreaterThan(0);
    expect(results[3]?.retryAfterSeconds).toBeLessThanOrEqual(600);
  });

  it('counts each key on its own', async () => {
    const { db } = database.handle;
    await hitRateLimit(db, 'test:key-a', 1, 600);
    expect((await hitRateLimit(db, 'test:key-a', 1, 600)).allowed).toBe(false);
    expect((await hitRateLimit(db, 'test:key-b', 1, 600)).allowed).toBe(true);
  });

  it('starts a fresh window once the old one has ended', async () => {
    const { db } = database.handle;
    await hitRateLimit(db, 'test:expiring', 1, 600);
    expect((await hitRateLimit(db, 'test:expiring', 1, 600)).allowed).toBe(false);
    await expireWindow('test:expiring');
    expect(await hitRateLimit(db, 'test:expiring', 1, 600)).toEqual({
      allowed: true,
      retryAfterSeconds: 0,
    });
    const [row] = await db.select().from(rateLimits).where(eq(rateLimits.key, 'test:expiring'));
    expect(row?.hits).toBe(1);
  });

  it('counts every one of many simultaneous attempts (atomic upsert)', async () => {
    const { db } = database.handle;
    const results = await Promise.all(
      Array.from({ length: 20 }, () => hitRateLimit(db, 'test:concurrent', 5, 600)),
    );
    expect(results.filter((result) => result.allowed)).toHaveLength(5);
    const [row] = await db.select().from(rateLimits).where(eq(rateLimits.key, 'test:concurrent'));
    expect(row?.hits).toBe(20);
  });

  it('stores keys of any length and characters as given', async () => {
    const { db } = database.handle;
    const key = `test:odd:'; drop table rate_limits; -- 日本語 ${'x'.repeat(500)}`;
    expect((await hitRateLimit(db, key, 1, 60)).allowed).toBe(true);
    const [row] = await db.select().from(rateLimits).where(eq(rateLimits.key, key));
    expect(row?.hits).toBe(1);
  });
});

describe('refundRateLimit', () => {
  it('gives back one attempt of the current window', async () => {
    const { db } = database.handle;
    await hitRateLimit(db, 'test:refund', 2, 600);
    await hitRateLimit(db, 'test:refund', 2, 600);
    await refundRateLimit(db, 'test:refund');
    expect((await hitRateLimit(db, 'test:refund', 2, 600)).allowed).toBe(true);
    expect((await hitRateLimit(db, 'test:refund', 2, 600)).allowed).toBe(false);
  });

  it('never goes below zero, and ignores unknown keys and ended windows', async () => {
    const { db } = database.handle;
    await hitRateLimit(db, 'test:refund-floor', 5, 600);
    await refundRateLimit(db, 'test:refund-floor');
    await refundRateLimit(db, 'test:refund-floor');
    await refundRateLimit(db, 'test:refund-unknown');
    await hitRateLimit(db, 'test:refund-ended', 5, 600);
    await expireWindow('test:refund-ended');
    await refundRateLimit(db, 'test:refund-ended');
    const rows = await db.select().from(rateLimits);
    expect(rows.find((row) => row.key === 'test:refund-floor')?.hits).toBe(0);
    expect(rows.find((row) => row.key === 'test:refund-unknown')).toBeUndefined();
    expect(rows.find((row) => row.key === 'test:refund-ended')?.hits).toBe(1);
  });
});

describe('pruneRateLimits', () => {
  it('removes only windows that have ended', async () => {
    const { db } = database.handle;
    await hitRateLimit(db, 'test:prune-old', 5, 600);
    await hitRateLimit(db, 'test:prune-live', 5, 600);
    await expireWindow('test:prune-old');
    expect(await pruneRateLimits(db)).toBeGreaterThanOrEqual(1);
    const keys = (await db.select({ key: rateLimits.key }).from(rateLimits)).map((r) => r.key);
    expect(keys).not.toContain('test:prune-old');
    expect(keys).toContain('test:prune-live');
  });
});

describe('countSlidingEvent', () => {
  it('counts, and every event pushes the end of the window out again', async () => {
    const { db } = database.handle;
    expect(await currentCount(db, 'test:sliding')).toBe(0);
    expect(await countSlidingEvent(db, 'test:sliding', 600)).toBe(1);
    // Nearly over: a fixed window would end here, a sliding one moves on with the next event.
    await db
      .update(rateLimits)
      .set({ windowEndsAt: sql`now() + interval '1 second'` })
      .where(eq(rateLimits.key, 'test:sliding'));
    expect(await countSlidingEvent(db, 'test:sliding', 600)).toBe(2);
    const [row] = await db.select().from(rateLimits).where(eq(rateLimits.key, 'test:sliding'));
    expect(row!.windowEndsAt.getTime() - Date.now()).toBeGreaterThan(500_000);
    expect(await currentCount(db, 'test:sliding')).toBe(2);
  });

  it('starts again after a quiet window, and can be cleared', async () => {
    const { db } = database.handle;
    await countSlidingEvent(db, 'test:quiet', 600);
    await expireWindow('test:quiet');
    expect(await currentCount(db, 'test:quiet')).toBe(0);
    expect(await countSlidingEvent(db, 'test:quiet', 600)).toBe(1);
    await clearCount(db, 'test:quiet');
    expect(await currentCount(db, 'test:quiet')).toBe(0);
  });
});
