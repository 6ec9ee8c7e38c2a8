import { inArray, sql } from 'drizzle-orm';
import type { Db, Tx } from '../client';
import { chunksOf } from './chunks';
import { addresses } from '../schema';

export type NewAddress = typeof addresses.$inferInsert;

/** Already-encrypted addresses in one statement; nothing here ever sees a plaintext address. */
export async function createAddresses(db: Db | Tx, rows: NewAddress[]): Promise<void> {
  await db.insert(addresses).values(rows);
}

/** How many addresses hang on these registrations (for previews and the audit). */
export async function countAddressesOf(
  db: Db | Tx,
  registrationIds: readonly number[],
): Promise<number> {
  let total = 0;
  for (const chunk of chunksOf(registrationIds)) {
    const [row] = await db
      .select({ count: sql<number>`count(*)::int` })
      .from(addresses)
      .where(inArray(addresses.registrationId, chunk));
    total += row?.count ?? 0;
  }
  return total;
}
