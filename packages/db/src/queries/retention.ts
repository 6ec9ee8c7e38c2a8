import { sql } from 'drizzle-orm';
import { rowsOf, type Tx } from '../client';

// Retention's lock (packages/core/src/retention says what a run deletes; each aggregate's file
// holds its own delete).

/**
 * Takes the installation's retention lock for the transaction: false when another process
 * holds it (two dispatchers at 03:00 run it once).
 */
export async function lockRetention(tx: Tx): Promise<boolean> {
  const [row] = rowsOf<{ locked: boolean }>(
    await tx.execute(
      sql`select pg_try_advisory_xact_lock(hashtext('renraku:retention')) as locked`,
    ),
  );
  return row?.locked === true;
}
