import { getTableConfig, PgTable } from 'drizzle-orm/pg-core';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDb, rowsOf, type Db, type DbHandle } from './client';
import * as schema from './schema';
import { createTestDatabase, type TestDatabase } from './testing';

// The same committed migrations must build the same schema on the real PostgreSQL (production)
// and on PGlite (the embedded `pnpm start`), and applying them again must change nothing.

/** Every catalogue fact that matters, as sorted JSON lines, with values cast to text. */
async function schemaOf(db: Db) {
  const lines = async (query: string) =>
    rowsOf<Record<string, string | null>>(await db.execute(sql.raw(query)))
      .map((row) => JSON.stringify(row))
      .sort();
  return {
    columns: await lines(`
      select table_name::text, column_name::text, data_type::text, udt_name::text,
             is_nullable::text, column_default::text, is_identity::text,
             identity_generation::text, ordinal_position::text
      from information_schema.columns where table_schema = 'public'`),
    indexes: await lines(`
      select tablename::text, indexname::text, indexdef::text
      from pg_indexes where schemaname = 'public'`),
    // PostgreSQL 18 (PGlite) lists NOT NULL as constraints too; nullability is compared above.
    constraints: await lines(`
      select conrelid::regclass::text as table_name, conname::text, contype::text,
             pg_get_constraintdef(oid) as definition
      from pg_constraint where connamespace = 'public'::regnamespace and contype <> 'n'`),
    enums: await lines(`
      select t.typname::text, string_agg(e.enumlabel, ',' order by e.enumsortorder) as labels
      from pg_type t join pg_enum e on e.enumtypid = t.oid
      join pg_namespace n on n.oid = t.typnamespace
      where n.nspname = 'public' group by t.typname`),
    // The audit trail's append-only triggers, which no drizzle schema describes.
    triggers: await lines(`
      select tgrelid::regclass::text as table_name, tgname::text
      from pg_trigger where not tgisinternal`),
    migrations: await lines(`select hash::text from drizzle.__drizzle_migrations`),
  };
}

const tables = (Object.values(schema) as unknown[]).filter(
  (value): value is PgTable => value instanceof PgTable,
);

describe('migrations', () => {
  let postgres: TestDatabase;
  let pglite: DbHandle;

  beforeAll(async () => {
    postgres = await createTestDatabase();
    pglite = await createDb({ dataDir: 'memory://' });
    await pglite.migrate();
  });

  afterAll(async () => {
    await pglite?.close();
    await postgres?.drop();
  });

  it('build the same schema on PostgreSQL and on PGlite', async () => {
    const onPostgres = await schemaOf(postgres.handle.db);
    const onPglite = await schemaOf(pglite.db);
    expect(onPostgres.columns.length).toBeGreaterThan(100);
    expect(onPostgres.indexes.length).toBeGreaterThan(20);
    expect(onPostgres.enums.length).toBeGreaterThan(5);
    expect(onPostgres.migrations.length).toBeGreaterThan(0);
    expect(onPostgres.triggers).toEqual([
      JSON.stringify({ table_name: 'audit_events', tgname: 'audit_events_append_only' }),
      JSON.stringify({ table_name: 'audit_events', tgname: 'audit_events_no_truncate' }),
    ]);
    expect(onPglite).toEqual(onPostgres);
  });

  it('create every table and column of the drizzle schema, with its nullability', async () => {
    expect(tables.length).toBeGreaterThan(15);
    const rows = rowsOf<{ table_name: string; column_name: string; is_nullable: string }>(
      await postgres.handle.db.execute(sql`
        select table_name::text, column_name::text, is_nullable::text
        from information_schema.columns where table_schema = 'public'`),
    );
    const inDatabase = rows
      .map((r) => `${r.table_name}.${r.column_name} ${r.is_nullable === 'NO' ? 'not null' : ''}`)
      .sort();
    const inSchema = tables
      .flatMap((table) => {
        const config = getTableConfig(table);
        return config.columns.map((c) => `${config.name}.${c.name} ${c.notNull ? 'not null' : ''}`);
      })
      .sort();
    expect(inDatabase).toEqual(inSchema);
  });

  it('change nothing when applied again, on either database', async () => {
    for (const handle of [postgres.handle, pglite]) {
      const before = await schemaOf(handle.db);
      await handle.migrate();
      expect(await schemaOf(handle.db)).toEqual(before);
    }
  });
});
