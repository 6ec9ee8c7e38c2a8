import { mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname } from 'node:path';
import type { PGlite } from '@electric-sql/pglite';
import { sql } from 'drizzle-orm';
import type { PgDatabase, PgQueryResultHKT } from 'drizzle-orm/pg-core';
import { drizzle as drizzlePostgres } from 'drizzle-orm/postgres-js';
import { migrate as migratePostgres } from 'drizzle-orm/postgres-js/migrator';
import postgres from 'postgres';
import { lockDataDir } from './data-dir-lock';
import * as schema from './schema';

export type Schema = typeof schema;
/** The database as every query function takes it, whichever driver is behind it. */
export type Db = PgDatabase<PgQueryResultHKT, Schema>;
/** A transaction handle; query functions accept either. */
export type Tx = Parameters<Parameters<Db['transaction']>[0]>[0];

export interface DbHandle {
  db: Db;
  driver: 'postgres' | 'pglite';
  /** Runs the committed migrations; safe when several processes start at once. */
  migrate(): Promise<void>;
  /** Round trip to the database, for /healthz. */
  ping(): Promise<void>;
  close(): Promise<void>;
}

export interface DbOptions {
  /** postgres:// URL; without it, an embedded PGlite database in dataDir. */
  url?: string | undefined;
  dataDir?: string;
  /** Pool size per process (postgres.js only). */
  poolMax?: number;
}

// Found through the package's own name, so that it is also found from a bundle that inlined
// this module (the dispatcher's), where a path relative to this file would point elsewhere.
const migrationsFolder = dirname(
  dirname(createRequire(import.meta.url).resolve('@renraku/db/drizzle/meta/_journal.json')),
);
/** Arbitrary constant: the advisory lock that serialises migrations across processes. */
const MIGRATION_LOCK = 0x72656e72;

/**
 * Opens PostgreSQL when a URL is given, else the embedded PGlite in `dataDir`. PGlite is loaded
 * only then: importing it costs a production process about 50 MB it would never use.
 */
export async function createDb(options: DbOptions): Promise<DbHandle> {
  return options.url ? openPostgres(options.url, options.poolMax ?? 10) : openPglite(options);
}

function openPostgres(url: string, poolMax: number): DbHandle {
  const client = postgres(url, { max: poolMax, onnotice: () => {} });
  const db = drizzlePostgres(client, { schema }) as unknown as Db;
  return {
    db,
    driver: 'postgres',
    async migrate() {
      const lockClient = postgres(url, { max: 1, onnotice: () => {} });
      try {
        await lockClient`select pg_advisory_lock(${MIGRATION_LOCK})`;
        await migratePostgres(drizzlePostgres(lockClient), { migrationsFolder });
        await lockClient`select pg_advisory_unlock(${MIGRATION_LOCK})`;
      } finally {
        await lockClient.end();
      }
    },
    async ping() {
      await client`select 1`;
    },
    async close() {
      await client.end({ timeout: 5 });
    },
  };
}

async function openPglite(options: DbOptions): Promise<DbHandle> {
  const [{ PGlite }, { drizzle: drizzlePglite }, { migrate: migratePglite }] = await Promise.all([
    import('@electric-sql/pglite'),
    import('drizzle-orm/pglite'),
    import('drizzle-orm/pglite/migrator'),
  ]);
  const dataDir = options.dataDir ?? './data';
  let client: PGlite;
  let release = () => {};
  if (dataDir === 'memory://') {
    client = new PGlite();
  } else {
    mkdirSync(dataDir, { recursive: true });
    // Before PGlite touches its files: a second opener would abort inside WebAssembly.
    release = lockDataDir(dataDir);
    try {
      client = new PGlite(`${dataDir}/pglite`);
      await client.waitReady;
    } catch (error) {
      release();
      throw error;
    }
  }
  const db = drizzlePglite(client, { schema }) as unknown as Db;
  return {
    db,
    driver: 'pglite',
    async migrate() {
      await migratePglite(drizzlePglite(client), { migrationsFolder });
    },
    async ping() {
      await db.execute(sql`select 1`);
    },
    async close() {
      try {
        await client.close();
      } finally {
        release();
      }
    },
  };
}

/**
 * A timestamp of a raw `db.execute` row: postgres.js gives a Date, but a timestamp inside JSON
 * (json_build_object) or from PGlite arrives as a string.
 */
export function dateOf(value: Date | string): Date;
export function dateOf(value: Date | string | null): Date | null;
export function dateOf(value: Date | string | null): Date | null {
  return value === null || value instanceof Date ? value : new Date(value);
}

/** Rows of a raw `db.execute`, which postgres.js returns as an array and PGlite as `{ rows }`. */
export function rowsOf<T>(result: unknown): T[] {
  if (Array.isArray(result)) return result as T[];
  return ((result as { rows?: T[] }).rows ?? []) as T[];
}
