import type { Db, Tx } from '../client';
import { addresses } from '../schema';

export type NewAddress = typeof addresses.$inferInsert;

/** Already-encrypted addresses in one statement; nothing here ever sees a plaintext address. */
export async function createAddresses(db: Db | Tx, rows: NewAddress[]): Promise<void> {
  await db.insert(addresses).values(rows);
}
