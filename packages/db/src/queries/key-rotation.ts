import { sql } from 'drizzle-orm';
import { rowsOf, type Db, type Tx } from '../client';

// The key rotation's read model: which key each stored secret is under (packages/core/src/
// key-rotation says what a rotation does; each aggregate's file holds its own rewrite).

/** One batch of a rotation: rows not yet under key `keyId`, at most `limit` of them. */
export interface StaleBatch {
  keyId: string;
  limit: number;
}

/** How many rows of a kind are under one key; `keyId` null: made before key ids. */
export interface KeyUsage {
  kind: 'addresses' | 'push_subscriptions' | 'registration_tokens' | 'deliveries';
  keyId: string | null;
  rows: number;
}

/** `<key id>:` in front of an index, as packages/shared/src/crypto.ts writes it. */
const keyIdOf = (column: string) =>
  sql.raw(`case when position(':' in ${column}) = 9 then left(${column}, 8) end`);
/** Rows per kind and key, by their index (a row's index and ciphertext change together). */
export async function keyUsage(db: Db | Tx): Promise<KeyUsage[]> {
  const rows = rowsOf<KeyUsage>(
    await db.execute(sql`
      select kind, key_id as "keyId", count(*)::int as rows from (
        select 'addresses' as kind, ${keyIdOf('blind_index')} as key_id from addresses
        union all select 'push_subscriptions', ${keyIdOf('endpoint_index')} from push_subscriptions
        union all select 'registration_tokens', ${keyIdOf('blind_index')}
          from registration_tokens where blind_index is not null
        union all select 'deliveries', ${keyIdOf('blind_index')} from deliveries
      ) keyed group by kind, key_id order by kind, key_id`),
  );
  return rows;
}
