import type { AddressRole } from '@renraku/shared';
import { and, asc, eq, inArray, sql } from 'drizzle-orm';
import { rowsOf, type Db, type Tx } from '../client';
import type { StaleBatch } from './key-rotation';
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

/** A row as the key rotation reads and rewrites it. */
export interface StoredAddress {
  id: number;
  blindIndex: string;
  ciphertext: Buffer;
}

/**
 * The rows of up to `limit` mailboxes (blind indexes) not yet under key `keyId`, locked: the
 * rotation's unit is the mailbox, so that every row of one address moves to its new index at
 * once and the fan-out's and the call list's joins on the index never see it half-moved.
 */
export async function lockStaleAddresses(
  tx: Tx,
  { keyId, limit }: StaleBatch,
): Promise<StoredAddress[]> {
  return storedAddressesOf(
    await tx.execute(sql`
      select id, blind_index as "blindIndex", ciphertext from addresses
      where blind_index in (select distinct blind_index from addresses
        where blind_index not like ${`${keyId}:%`} limit ${limit})
      for update`),
  );
}

/** Rows of `id, "blindIndex", ciphertext` (bytea arrives as Uint8Array or Buffer). */
export function storedAddressesOf(result: unknown): StoredAddress[] {
  return rowsOf<{ id: number; blindIndex: string; ciphertext: Uint8Array }>(result).map((row) => ({
    ...row,
    ciphertext: Buffer.from(row.ciphertext),
  }));
}

/**
 * Writes re-encrypted rows with their new index. A row whose registration already holds the
 * new index (the same address added again under the new key during the rotation) is the
 * duplicate and is deleted instead.
 */
export async function rekeyAddresses(tx: Tx, rows: StoredAddress[]): Promise<void> {
  const ids = sql.param(rows.map((row) => row.id));
  const indexes = sql.param(rows.map((row) => row.blindIndex));
  const ciphertexts = sql.param(rows.map((row) => row.ciphertext.toString('hex')));
  await tx.execute(sql`
    delete from addresses a using unnest(${ids}::int[], ${indexes}::text[]) v(id, blind_index)
    where a.id = v.id and exists (select 1 from addresses b
      where b.registration_id = a.registration_id and b.blind_index = v.blind_index and b.id <> a.id)`);
  await tx.execute(sql`
    update addresses a set ciphertext = decode(v.ciphertext, 'hex'), blind_index = v.blind_index
    from unnest(${ids}::int[], ${ciphertexts}::text[], ${indexes}::text[]) v(id, ciphertext, blind_index)
    where a.id = v.id`);
}

/** One address ciphertext under key `keyId` (null: made before key ids), to test a key on. */
export async function findAddressCiphertextUnder(
  db: Db | Tx,
  keyId: string | null,
): Promise<Buffer | undefined> {
  const [row] = rowsOf<{ ciphertext: Uint8Array }>(
    await db.execute(sql`select ciphertext from addresses
      where ${keyId === null ? sql`position(':' in blind_index) = 0` : sql`blind_index like ${`${keyId}:%`}`}
      limit 1`),
  );
  return row ? Buffer.from(row.ciphertext) : undefined;
}
