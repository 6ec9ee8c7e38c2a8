import {
  consumeToken,
  createRegistrationToken,
  deleteExpiredTokens,
  findSchoolByRegistrationAddress,
  findUsableToken,
  releaseToken,
  schema,
  type Db,
} from '@renraku/db';
import type { TestDatabase } from '@renraku/db/testing';
import { hashToken, sealAddress } from '@renraku/shared/crypto';
import { eq, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createFixture, keys, SCHOOL_ADDRESS } from './harness';

// The token service the registration pages use: usable means unexpired and unused, and using a
// token is atomic, so a link works exactly once however many times it is opened at once.

let database: TestDatabase;
let db: Db;
let schoolId: number;

beforeAll(async () => {
  ({ database, db, schoolId } = await createFixture());
});

afterAll(async () => {
  await database?.drop();
});

function issue(ttlSeconds = 3600) {
  return createRegistrationToken(db, {
    purpose: 'register',
    schoolId,
    address: sealAddress(keys, 'parent@docomo.ne.jp'),
    ttlSeconds,
  });
}

async function expire(id: number) {
  await db
    .update(schema.registrationTokens)
    .set({ expiresAt: sql`now() - interval '1 second'` })
    .where(eq(schema.registrationTokens.id, id));
}

describe('registration tokens', () => {
  it('are found by hash and purpose only while unused and unexpired', async () => {
    const link = await issue();
    expect((await findUsableToken(db, hashToken(link.token), 'register'))?.id).toBe(link.id);
    expect(await findUsableToken(db, link.token, 'register')).toBeUndefined();
    expect(await findUsableToken(db, hashToken(link.token), 'add_address')).toBeUndefined();
    expect(await findUsableToken(db, hashToken(`${link.token}x`), 'register')).toBeUndefined();

    expect(await consumeToken(db, link.id)).toBe(true);
    expect(await findUsableToken(db, hashToken(link.token), 'register')).toBeUndefined();

    await releaseToken(db, link.id);
    expect((await findUsableToken(db, hashToken(link.token), 'register'))?.id).toBe(link.id);

    await expire(link.id);
    expect(await findUsableToken(db, hashToken(link.token), 'register')).toBeUndefined();
    expect(await consumeToken(db, link.id)).toBe(false);
  });

  it('are used once, even by two requests at the same moment', async () => {
    for (let round = 0; round < 5; round++) {
      const link = await issue();
      const results = await Promise.all([consumeToken(db, link.id), consumeToken(db, link.id)]);
      expect(results.filter(Boolean)).toHaveLength(1);
    }
  });

  it('are swept once expired, used or not', async () => {
    await db.delete(schema.registrationTokens);
    const live = await issue();
    const expiredUnused = await issue();
    const expiredUsed = await issue();
    await consumeToken(db, expiredUsed.id);
    await expire(expiredUnused.id);
    await expire(expiredUsed.id);
    expect(await deleteExpiredTokens(db, new Date())).toBe(2);
    const left = await db
      .select({ id: schema.registrationTokens.id })
      .from(schema.registrationTokens);
    expect(left).toEqual([{ id: live.id }]);
  });
});

describe('registration addresses', () => {
  it('are looked up case-insensitively, and nothing else matches', async () => {
    expect((await findSchoolByRegistrationAddress(db, SCHOOL_ADDRESS))?.id).toBe(schoolId);
    expect((await findSchoolByRegistrationAddress(db, 'Touen-E@Renraku.Test'))?.id).toBe(schoolId);
    for (const address of ['touen-e@renraku.tes', "' or 1=1 --", '%@renraku.test', '']) {
      expect(await findSchoolByRegistrationAddress(db, address)).toBeUndefined();
    }
  });
});
