import { randomBytes } from 'node:crypto';
import postgres from 'postgres';
import { createDb, type DbHandle } from './client';

// Tests run against the real PostgreSQL: each test file gets a database of its own,
// created here and dropped afterwards, so files can run in parallel.

/** The server tests use; CI and the README's defaults point at the local PostgreSQL. */
export const TEST_SERVER_URL =
  process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

export interface TestDatabase {
  url: string;
  handle: DbHandle;
  drop(): Promise<void>;
}

function withDatabase(url: string, name: string): string {
  const parsed = new URL(url);
  parsed.pathname = `/${name}`;
  return parsed.toString();
}

/** Creates an empty, migrated database; `drop()` closes it and removes it. */
export async function createTestDatabase(): Promise<TestDatabase> {
  const name = `renraku_test_${process.pid}_${randomBytes(4).toString('hex')}`;
  const admin = postgres(TEST_SERVER_URL, { max: 1, onnotice: () => {} });
  try {
    await admin.unsafe(`create database ${name}`);
  } finally {
    await admin.end();
  }
  const url = withDatabase(TEST_SERVER_URL, name);
  const handle = await createDb({ url, poolMax: 5 });
  await handle.migrate();
  return {
    url,
    handle,
    async drop() {
      await handle.close();
      const dropper = postgres(TEST_SERVER_URL, { max: 1, onnotice: () => {} });
      try {
        await dropper.unsafe(`drop database if exists ${name} with (force)`);
      } finally {
        await dropper.end();
      }
    },
  };
}
