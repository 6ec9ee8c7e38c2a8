import type { AddressRole } from '@renraku/shared';
import { and, asc, eq, inArray, sql } from 'drizzle-orm';
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

/** A registration's addresses in order, still encrypted. */
export function listRegistrationAddresses(db: Db | Tx, registrationId: number) {
  return db
    .select({
      id: addresses.id,
      position: addresses.position,
      role: addresses.role,
      ciphertext: addresses.ciphertext,
      blindIndex: addresses.blindIndex,
      carrierDomain: addresses.carrierDomain,
      health: addresses.health,
    })
    .from(addresses)
    .where(eq(addresses.registrationId, registrationId))
    .orderBy(asc(addresses.position));
}

export type RegistrationAddress = Awaited<ReturnType<typeof listRegistrationAddresses>>[number];

/** Stores an already-sealed address at the given position. */
export async function insertRegistrationAddress(
  db: Db | Tx,
  row: {
    districtId: number;
    registrationId: number;
    position: number;
    role: AddressRole;
    ciphertext: Buffer;
    blindIndex: string;
    carrierDomain: string;
  },
): Promise<void> {
  await db.insert(addresses).values(row);
}

export async function deleteRegistrationAddress(
  db: Db | Tx,
  registrationId: number,
  addressId: number,
): Promise<boolean> {
  const rows = await db
    .delete(addresses)
    .where(and(eq(addresses.registrationId, registrationId), eq(addresses.id, addressId)))
    .returning({ id: addresses.id });
  return rows.length === 1;
}

/**
 * Gives the addresses positions 1, 2, 3 in the given order. Two steps, because the unique
 * (registration, position) constraint is checked row by row.
 */
export async function setAddressOrder(
  tx: Tx,
  registrationId: number,
  orderedIds: readonly number[],
): Promise<void> {
  await tx
    .update(addresses)
    .set({ position: sql`${addresses.position} + 100` })
    .where(eq(addresses.registrationId, registrationId));
  for (const [index, id] of orderedIds.entries()) {
    await tx
      .update(addresses)
      .set({ position: index + 1 })
      .where(and(eq(addresses.registrationId, registrationId), eq(addresses.id, id)));
  }
}
