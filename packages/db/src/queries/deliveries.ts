import { sql, type SQL } from 'drizzle-orm';
import type { DeliveryChannel, DeliveryState, TemplateLanguage } from '@renraku/shared';
import { rowsOf, type Db, type Tx } from '../client';

// The dispatcher's hot path: claims and status writes are one statement per batch, never
// one per recipient. A claim is a lease: a worker that dies loses its claims when the lease
// runs out, and a worker whose lease ran out can no longer write over the new owner's result.

/** A push device as the dispatcher reads it: endpoint and keys still ciphertext. */
export interface SealedPushDevice {
  endpointCiphertext: Uint8Array;
  p256dhCiphertext: Uint8Array;
  authCiphertext: Uint8Array;
}

/**
 * A delivery as a dispatcher holds it while sending; the address (or the push device) is still
 * ciphertext.
 */
export interface ClaimedDelivery {
  id: number;
  messageId: number;
  channel: DeliveryChannel;
  /** The state before the claim: a lease taken over from a dead worker was already sending. */
  previousState: DeliveryState;
  /** Attempts made before this one. */
  attempts: number;
  carrierDomain: string;
  /** A mail's address; null once the parent withdrew it (the delivery fails unsent). */
  ciphertext: Uint8Array | null;
  /** A push's device; null once the parent removed it (the delivery fails unsent). */
  push: SealedPushDevice | null;
  childNames: string[] | null;
  /** The parent's language (of the registration the address or device belongs to). */
  language: TemplateLanguage;
  /** SENDING_PRIORITY of its message: the dispatcher's queues start the most urgent first. */
  priority: number;
}

/** The lease a worker takes: who holds it and for how long. */
export interface Lease {
  workerId: string;
  leaseMs: number;
}

/**
 * Runs one hot-path statement under a planner setting. Right after a fan-out the statistics
 * still describe the table before it (autovacuum analyzes it a minute later), and with them
 * the planner sorts every due delivery for each claim or joins each status batch against
 * itself row by row: the setting keeps the plan linear in the batch, whatever the statistics.
 */
function withPinnedPlan(db: Db | Tx, setting: SQL, statement: SQL): Promise<unknown> {
  return db.transaction(async (tx) => {
    await tx.execute(setting);
    return tx.execute(statement);
  });
}

/** bigint ids arrive as strings from postgres.js and as numbers from PGlite. */
type Row<T extends { id: number }> = Omit<T, 'id'> & { id: number | string };

/**
 * Leases up to `limit` deliveries that are due: first those whose lease ran out (a crashed
 * worker's), then queued and deferred ones whose time has come, emergencies first (their
 * message's SENDING_PRIORITY), then oldest first. `SKIP LOCKED` lets any number of workers
 * claim at once without waiting on or taking each other's rows.
 * Each half walks its partial index in order and stops at the limit, so a claim costs the
 * same at 1,000,000 recipients as at 100 (no join may get in the way of that plan: a message
 * that is cancelled must take its pending deliveries out of queued/deferred itself).
 * The first claim of a message marks it as sending. `maxPriority` claims only deliveries at
 * least that urgent (a full dispatcher making way for an emergency), on the same index.
 */
export async function claimDeliveries(
  db: Db | Tx,
  lease: Lease,
  limit: number,
  maxPriority?: number,
): Promise<ClaimedDelivery[]> {
  const urgent = maxPriority === undefined ? sql`` : sql`and priority <= ${maxPriority}`;
  const rows = rowsOf<
    Row<Omit<ClaimedDelivery, 'push'>> & {
      [K in keyof SealedPushDevice]: SealedPushDevice[K] | null;
    }
  >(
    await withPinnedPlan(
      db,
      sql`set local enable_bitmapscan = off`,
      sql`
      with expired as (
        select id, state, address_id, push_subscription_id from deliveries
        where state = 'sending' and lease_expires_at < now() ${urgent}
        order by lease_expires_at
        limit ${limit}
        for update skip locked
      ),
      due as (
        select id, state, address_id, push_subscription_id from deliveries
        where state in ('queued', 'deferred') and next_attempt_at <= now() ${urgent}
        order by priority, next_attempt_at
        limit ${limit}
        for update skip locked
      ),
      picked as (
        select * from expired union all select * from due limit ${limit}
      ),
      claimed as (
        update deliveries d
        set state = 'sending', lease_owner = ${lease.workerId},
          lease_expires_at = now() + ${lease.leaseMs} * interval '1 millisecond',
          updated_at = now()
        from picked p left join addresses a on a.id = p.address_id
          left join push_subscriptions ps on ps.id = p.push_subscription_id
          left join registrations r on r.id = coalesce(a.registration_id, ps.registration_id)
        where d.id = p.id
        returning d.id, d.message_id as "messageId", d.channel, p.state as "previousState",
          d.attempts, d.carrier_domain as "carrierDomain", a.ciphertext,
          ps.endpoint_ciphertext as "endpointCiphertext",
          ps.p256dh_ciphertext as "p256dhCiphertext", ps.auth_ciphertext as "authCiphertext",
          d.child_names as "childNames", coalesce(r.language, 'ja') as language, d.priority
      ),
      started as (
        update messages set state = 'sending', started_at = coalesce(started_at, now())
        where id in (select distinct "messageId" from claimed) and state = 'queued'
      )
      select * from claimed
    `,
    ),
  );
  return rows.map(({ endpointCiphertext, p256dhCiphertext, authCiphertext, ...row }) => ({
    ...row,
    id: Number(row.id),
    push:
      endpointCiphertext && p256dhCiphertext && authCiphertext
        ? { endpointCiphertext, p256dhCiphertext, authCiphertext }
        : null,
  }));
}

/**
 * What became of one claimed delivery. `attempted` is false when nothing was sent: a claim
 * given back at shutdown (no text: the last reply stays) or a delivery that cannot be sent
 * (its text says why). Only attempts count towards the retry limit.
 */
export interface DeliveryOutcome {
  id: number;
  state: Extract<DeliveryState, 'accepted' | 'deferred' | 'failed' | 'queued'>;
  attempted: boolean;
  code: number | null;
  text: string | null;
  /** For a deferral: when to try again, from now. */
  retryInMs: number | null;
}

/** A delivery whose outcome was stored: the message to announce and settle; no address. */
export interface StoredTransition {
  id: number;
  messageId: number;
  state: DeliveryState;
}

/**
 * Writes a batch of outcomes in one `UPDATE … FROM unnest(…)`. A row changes only while this
 * worker still holds its lease, so a worker that lost it (and whose delivery another worker
 * re-sent) cannot overwrite the newer result. Returns the rows that changed.
 */
export async function recordDeliveryOutcomes(
  db: Db | Tx,
  workerId: string,
  outcomes: DeliveryOutcome[],
): Promise<StoredTransition[]> {
  if (outcomes.length === 0) return [];
  // One array per column, of types both drivers serialise as arrays: booleans travel as 0/1
  // (postgres.js mistypes boolean arrays) and states as text (PGlite cannot send enum arrays).
  const column = <T>(pick: (outcome: DeliveryOutcome) => T) => sql.param(outcomes.map(pick));
  const rows = rowsOf<Row<StoredTransition>>(
    await withPinnedPlan(
      db,
      sql`set local enable_nestloop = off`,
      sql`
      update deliveries d set
        state = v.state::delivery_state,
        attempts = d.attempts + v.attempt,
        reply_code = case when v.attempt = 1 then v.code else d.reply_code end,
        reply_text = case when v.attempt = 1 or v.text is not null then v.text else d.reply_text end,
        next_attempt_at = case when v.retry_ms is null then d.next_attempt_at
          else now() + v.retry_ms * interval '1 millisecond' end,
        accepted_at = case when v.state = 'accepted' then now() else d.accepted_at end,
        finished_at = case when v.state = 'failed' then now() else d.finished_at end,
        lease_owner = null, lease_expires_at = null, updated_at = now()
      from unnest(
        ${column((o) => o.id)}::bigint[],
        ${column((o) => o.state)}::text[],
        ${column((o) => (o.attempted ? 1 : 0))}::int[],
        ${column((o) => o.code)}::int[],
        ${column((o) => o.text)}::text[],
        ${column((o) => o.retryInMs)}::int[]
      ) as v(id, state, attempt, code, text, retry_ms)
      where d.id = v.id and d.state = 'sending' and d.lease_owner = ${workerId}
      returning d.id, d.message_id as "messageId", d.state
    `,
    ),
  );
  return rows.map((row) => ({ ...row, id: Number(row.id) }));
}

/** Extends every lease this worker holds, so slow sending never lets another worker re-send. */
export async function renewLeases(db: Db | Tx, lease: Lease): Promise<void> {
  await db.execute(sql`
    update deliveries
    set lease_expires_at = now() + ${lease.leaseMs} * interval '1 millisecond'
    where state = 'sending' and lease_owner = ${lease.workerId}
  `);
}

/** What waits to be sent, over every dispatcher: the metrics' gauges and /healthz read it. */
export interface QueueFigures {
  pending: { channel: DeliveryChannel; state: DeliveryState; n: number }[];
  /** Seconds the oldest due delivery (queued or deferred, its time come) has waited; null: none. */
  oldestDueSeconds: number | null;
}

/**
 * One statement over the claim and lease partial indexes (only the pending rows): counts by
 * channel and state, and the age of the oldest due delivery, the sign of a stuck queue.
 */
export async function queueFigures(db: Db | Tx): Promise<QueueFigures> {
  const rows = rowsOf<{
    channel: DeliveryChannel;
    state: DeliveryState;
    n: number;
    oldestDueSeconds: number | null;
  }>(
    await db.execute(sql`
      select channel, state, count(*)::int as n,
        extract(epoch from now() - min(next_attempt_at)
          filter (where state <> 'sending' and next_attempt_at <= now()))::float8
          as "oldestDueSeconds"
      from deliveries where state in ('queued', 'deferred', 'sending')
      group by channel, state
    `),
  );
  const ages = rows.flatMap((row) =>
    row.oldestDueSeconds === null ? [] : [Number(row.oldestDueSeconds)],
  );
  return {
    pending: rows.map(({ channel, state, n }) => ({ channel, state, n })),
    oldestDueSeconds: ages.length === 0 ? null : Math.max(...ages),
  };
}

/** A mailbox's (or device's) index before and after the key rotation. */
export interface IndexChange {
  from: string;
  to: string;
}

/**
 * Moves the deliveries of rotated mailboxes and devices to their new index, in every message,
 * in the transaction that moved the addresses, so joins on the index hold throughout. The
 * unique (message, index) index is probed once per message and change (hash joins are off: a
 * scan of every delivery per batch would be slower). Rows a dispatcher holds are skipped, not
 * waited for, so the rotation never deadlocks with sending; so is a row whose message already
 * has the new index. The rotation's last pass (staleDeliveries) takes whatever was skipped.
 */
export async function rekeyDeliveries(tx: Tx, changes: IndexChange[]): Promise<number> {
  if (changes.length === 0) return 0;
  await tx.execute(sql`set local enable_hashjoin = off`);
  await tx.execute(sql`set local enable_mergejoin = off`);
  const rows = rowsOf<{ id: number | string }>(
    await tx.execute(sql`
      with changed as (
        select d.id, c.next from messages m
        cross join unnest(${sql.param(changes.map((c) => c.from))}::text[],
          ${sql.param(changes.map((c) => c.to))}::text[]) c(prior, next)
        join deliveries d on d.message_id = m.id and d.blind_index = c.prior
        where not exists (select 1 from deliveries x
          where x.message_id = d.message_id and x.blind_index = c.next)
        for update of d skip locked
      )
      update deliveries d set blind_index = changed.next from changed where d.id = changed.id
      returning d.id`),
  );
  return rows.length;
}

/** A delivery whose index is not under the current key, with its device's index now. */
export interface StaleDelivery {
  id: number;
  messageId: number;
  blindIndex: string;
  /** The index of the address or device it went to; null once that is gone. */
  deviceIndex: string | null;
  /** Whether another delivery of its message already has `deviceIndex`. */
  deviceIndexTaken: boolean;
}

/** Up to `limit` deliveries after id `afterId` whose index is not under key `keyId`, locked. */
export async function lockStaleDeliveries(
  tx: Tx,
  keyId: string,
  afterId: number,
  limit: number,
): Promise<StaleDelivery[]> {
  const rows = rowsOf<Row<StaleDelivery>>(
    await tx.execute(sql`
      select d.id, d.message_id as "messageId", d.blind_index as "blindIndex",
        device.index as "deviceIndex",
        exists (select 1 from deliveries x
          where x.message_id = d.message_id and x.blind_index = device.index) as "deviceIndexTaken"
      from deliveries d
      left join addresses a on d.channel = 'mail' and a.id = d.address_id
      left join push_subscriptions p on d.channel = 'push' and p.id = d.push_subscription_id
      cross join lateral (select coalesce(a.blind_index, p.endpoint_index) as index) device
      where d.id > ${afterId} and d.blind_index not like ${`${keyId}:%`}
      order by d.id limit ${limit}
      for update of d skip locked`),
  );
  return rows.map((row) => ({ ...row, id: Number(row.id) }));
}

/** Sets deliveries' indexes by id (the rotation's last pass). */
export async function setDeliveryIndexes(
  tx: Tx,
  rows: { id: number; blindIndex: string }[],
): Promise<void> {
  if (rows.length === 0) return;
  await tx.execute(sql`
    update deliveries d set blind_index = v.blind_index
    from unnest(${sql.param(rows.map((row) => row.id))}::bigint[],
      ${sql.param(rows.map((row) => row.blindIndex))}::text[]) v(id, blind_index)
    where d.id = v.id`);
}
