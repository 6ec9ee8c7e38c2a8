import { and, asc, eq, sql } from 'drizzle-orm';
import { rowsOf, type Db, type Tx } from '../client';
import type { StaleBatch } from './key-rotation';
import { pushSubscriptions } from '../schema';

export type NewPushSubscription = Omit<
  typeof pushSubscriptions.$inferInsert,
  'id' | 'createdAt' | 'updatedAt'
>;

/** A registration's devices, oldest first: what the parent's list shows, no secret in it. */
export function listRegistrationPushDevices(db: Db | Tx, registrationId: number) {
  return db
    .select({
      id: pushSubscriptions.id,
      endpointIndex: pushSubscriptions.endpointIndex,
      deviceLabel: pushSubscriptions.deviceLabel,
      createdAt: pushSubscriptions.createdAt,
    })
    .from(pushSubscriptions)
    .where(eq(pushSubscriptions.registrationId, registrationId))
    .orderBy(asc(pushSubscriptions.createdAt), asc(pushSubscriptions.id));
}

export type RegistrationPushDevice = Awaited<
  ReturnType<typeof listRegistrationPushDevices>
>[number];

/**
 * Stores an already-sealed subscription; the same endpoint on the same registration is the same
 * device, so its keys and label are renewed in place (its date added stays).
 */
export async function upsertPushSubscription(
  db: Db | Tx,
  row: NewPushSubscription,
): Promise<{ id: number; inserted: boolean }> {
  const [stored] = await db
    .insert(pushSubscriptions)
    .values(row)
    .onConflictDoUpdate({
      target: [pushSubscriptions.registrationId, pushSubscriptions.endpointIndex],
      set: {
        endpointCiphertext: row.endpointCiphertext,
        p256dhCiphertext: row.p256dhCiphertext,
        authCiphertext: row.authCiphertext,
        deviceLabel: row.deviceLabel,
        updatedAt: sql`now()`,
      },
    })
    // xmax is 0 only on a row this statement inserted.
    .returning({ id: pushSubscriptions.id, inserted: sql<boolean>`(xmax = 0)` });
  if (!stored) throw new Error('upsert returned no row');
  return stored;
}

/** Only the registration's own device: another family's id removes nothing. */
export async function deletePushSubscription(
  db: Db | Tx,
  registrationId: number,
  subscriptionId: number,
): Promise<boolean> {
  const rows = await db
    .delete(pushSubscriptions)
    .where(
      and(
        eq(pushSubscriptions.registrationId, registrationId),
        eq(pushSubscriptions.id, subscriptionId),
      ),
    )
    .returning({ id: pushSubscriptions.id });
  return rows.length === 1;
}

/**
 * Removes the devices that these push deliveries went to (their push service answered 404 or
 * 410: the browser unsubscribed or the subscription expired), as a dead address stops being
 * mailed. The deliveries keep their outcome; the parent's device list no longer shows them.
 */
export async function removePushDevicesOf(db: Db | Tx, deliveryIds: number[]): Promise<void> {
  if (deliveryIds.length === 0) return;
  await db.execute(sql`
    delete from push_subscriptions where id in (
      select push_subscription_id from deliveries
      where id = any(${sql.param(deliveryIds)}::bigint[]) and channel = 'push')
  `);
}

/** A subscribed device as the key rotation reads and rewrites it. */
export interface StoredPushSubscription {
  id: number;
  endpointIndex: string;
  endpointCiphertext: Buffer;
  p256dhCiphertext: Buffer;
  authCiphertext: Buffer;
}

/** The rows of up to `limit` devices (endpoint indexes) not yet under key `keyId`, locked. */
export async function lockStalePushSubscriptions(
  tx: Tx,
  { keyId, limit }: StaleBatch,
): Promise<StoredPushSubscription[]> {
  const rows = rowsOf<Record<keyof StoredPushSubscription, never>>(
    await tx.execute(sql`
      select id, endpoint_index as "endpointIndex", endpoint_ciphertext as "endpointCiphertext",
        p256dh_ciphertext as "p256dhCiphertext", auth_ciphertext as "authCiphertext"
      from push_subscriptions
      where endpoint_index in (select distinct endpoint_index from push_subscriptions
        where endpoint_index not like ${`${keyId}:%`} limit ${limit})
      for update`),
  );
  return rows.map((row) => ({
    id: row.id,
    endpointIndex: row.endpointIndex,
    endpointCiphertext: Buffer.from(row.endpointCiphertext),
    p256dhCiphertext: Buffer.from(row.p256dhCiphertext),
    authCiphertext: Buffer.from(row.authCiphertext),
  }));
}

/**
 * Writes re-encrypted devices with their new index; a device its registration subscribed again
 * under the new key during the rotation is the duplicate and is deleted instead.
 */
export async function rekeyPushSubscriptions(
  tx: Tx,
  rows: StoredPushSubscription[],
): Promise<void> {
  const ids = sql.param(rows.map((row) => row.id));
  const indexes = sql.param(rows.map((row) => row.endpointIndex));
  const hex = (pick: (row: StoredPushSubscription) => Buffer) =>
    sql.param(rows.map((row) => pick(row).toString('hex')));
  await tx.execute(sql`
    delete from push_subscriptions p using unnest(${ids}::int[], ${indexes}::text[]) v(id, idx)
    where p.id = v.id and exists (select 1 from push_subscriptions q
      where q.registration_id = p.registration_id and q.endpoint_index = v.idx and q.id <> p.id)`);
  await tx.execute(sql`
    update push_subscriptions p set endpoint_index = v.idx,
      endpoint_ciphertext = decode(v.endpoint, 'hex'), p256dh_ciphertext = decode(v.p256dh, 'hex'),
      auth_ciphertext = decode(v.auth, 'hex')
    from unnest(${ids}::int[], ${indexes}::text[], ${hex((row) => row.endpointCiphertext)}::text[],
      ${hex((row) => row.p256dhCiphertext)}::text[], ${hex((row) => row.authCiphertext)}::text[])
      v(id, idx, endpoint, p256dh, auth)
    where p.id = v.id`);
}
