import { and, asc, eq, sql } from 'drizzle-orm';
import type { Db, Tx } from '../client';
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
