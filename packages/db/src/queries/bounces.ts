import { sql } from 'drizzle-orm';
import type { AddressHealth, DeliveryState } from '@renraku/shared';
import { rowsOf, type Db, type Tx } from '../client';

// What the relay's delivery status notifications do after it said 250: a delivery moves on to
// delivered, delayed or bounced, and the address it went to gains or loses health. Every such
// change goes through recordBounce, in one transaction with the report that caused it. A mail
// the relay refused at once (5xx) weighs on its address by the same rules: applySendFailureHealth.

/** When soft bounces make an address failing, then dead; a success resets the count. */
export interface HealthRules {
  /** Soft bounces in a row (each within the window of the previous) that make it failing. */
  failingAfter: number;
  /** … and dead: the address is no longer mailed, and the parent is asked to fix it. */
  deadAfter: number;
  /** A soft bounce longer than this after the previous one starts counting again at 1. */
  windowDays: number;
}

/**
 * Three soft bounces within two weeks is a mailbox that stays full or a filter that keeps
 * refusing: staff should know (failing). Five is a mailbox nobody reads: stop sending (dead).
 */
export const DEFAULT_HEALTH_RULES: HealthRules = { failingAfter: 3, deadAfter: 5, windowDays: 14 };

/** What a report does to the address: hard and soft failures, or proof that mail arrives. */
export type HealthEffect = 'hard' | 'soft' | 'delivered';

/** A delivery the relay refused, and how much that weighs on its address. */
export interface SendFailure {
  deliveryId: number;
  effect: Extract<HealthEffect, 'hard' | 'soft'>;
}

/** One verified mail at a delivery's return path, as the dispatcher read it. */
export interface BounceRecord {
  deliveryId: number;
  /** The report's verdict, or what the mail was when it was none. */
  kind: 'delivered' | 'delayed' | 'failed' | 'auto_reply' | 'unparsed';
  format: string | null;
  status: string | null;
  smtpCode: number | null;
  /** Without addresses (the caller removes them). */
  diagnostic: string | null;
  /** The delivery's next state; null when the mail changes nothing (auto-reply, unparsed). */
  state: Extract<DeliveryState, 'delivered' | 'delayed' | 'bounced'> | null;
  health: HealthEffect | null;
}

/** A delivery's change caused by a report, for the bus; carries no address. */
export interface BounceTransition {
  id: number;
  messageId: number;
  schoolId: number | null;
  classId: number | null;
  from: DeliveryState;
  to: DeliveryState;
  code: number | null;
}

/**
 * The states a report may move a delivery out of, by its new state. A report can overtake the
 * dispatcher's own status write (a relay that bounces at once), so sending counts; a delivery
 * that was deferred or queued again after a lost reply may have been accepted all the same.
 * Failed and bounced are final; a success never undoes a bounce, but a bounce overrides a
 * success (a relay that said "relayed" hears the failure later).
 */
const MOVABLE: Record<NonNullable<BounceRecord['state']>, DeliveryState[]> = {
  delivered: ['queued', 'sending', 'deferred', 'accepted', 'delayed'],
  delayed: ['queued', 'sending', 'deferred', 'accepted'],
  bounced: ['queued', 'sending', 'deferred', 'accepted', 'delayed', 'delivered'],
};

/**
 * Stores the report and applies it: the delivery's state, then the health of every address
 * of the district with the delivery's blind index (siblings' registrations may share it).
 * Health changes only when the delivery's state did, so a repeated report counts once. Out of
 * order reports are weighed by when the mail was accepted: a bounce of a mail accepted before
 * the last success, or a success of one accepted before the last bounce, leaves health alone.
 * Returns null when the delivery no longer exists (its message was deleted).
 */
export async function recordBounce(
  db: Db,
  record: BounceRecord,
  rules: HealthRules = DEFAULT_HEALTH_RULES,
): Promise<{ transition: BounceTransition | null } | null> {
  return db.transaction(async (tx) => {
    const stored = rowsOf(
      await tx.execute(sql`
        insert into bounce_reports (delivery_id, kind, format, status, smtp_code, diagnostic)
        select id, ${record.kind}::text, ${record.format}::text, ${record.status}::text,
          ${record.smtpCode}::smallint, ${record.diagnostic}::text
        from deliveries where id = ${record.deliveryId}
        returning id
      `),
    );
    if (stored.length === 0) return null;
    if (!record.state) return { transition: null };
    const transition = await moveDelivery(tx, record);
    if (transition && record.health)
      await applyHealth(tx, [record.deliveryId], record.health, rules);
    return { transition };
  });
}

async function moveDelivery(tx: Tx, record: BounceRecord): Promise<BounceTransition | null> {
  const to = record.state!;
  const final = to === 'delayed' ? sql`d.finished_at` : sql`now()`;
  const [row] = rowsOf<Omit<BounceTransition, 'id'> & { id: number | string }>(
    await tx.execute(sql`
      with old as (select id, state from deliveries where id = ${record.deliveryId} for update)
      update deliveries d set
        state = ${to}::delivery_state,
        reply_code = coalesce(${record.smtpCode}::smallint, d.reply_code),
        reply_text = ${[record.status, record.diagnostic].filter(Boolean).join(' ') || null}::text,
        accepted_at = coalesce(d.accepted_at, now()),
        finished_at = ${final},
        lease_owner = null, lease_expires_at = null, updated_at = now()
      from old
      where d.id = old.id and old.state::text in ${MOVABLE[to]}
      returning d.id, d.message_id as "messageId", d.school_id as "schoolId",
        d.class_id as "classId", old.state as "from", d.state as "to", d.reply_code as "code"
    `),
  );
  return row ? { ...row, id: Number(row.id) } : null;
}

/**
 * Applies the relay's synchronous refusals to the addresses they went to, by the same rules as
 * a report's: one statement per kind of effect, however many deliveries. The caller passes only
 * deliveries it has just stored as failed, so each counts once; an address refused twice in one
 * call counts once.
 */
export async function applySendFailureHealth(
  db: Db | Tx,
  failures: SendFailure[],
  rules: HealthRules = DEFAULT_HEALTH_RULES,
): Promise<void> {
  // No transaction: each statement stands alone, so no lock is held from one to the next.
  for (const effect of ['hard', 'soft'] as const) {
    const ids = failures.filter((f) => f.effect === effect).map((f) => f.deliveryId);
    if (ids.length > 0) await applyHealth(db, ids, effect, rules);
  }
}

/**
 * The one copy of the health rules: `effect` applied to every address of the district with
 * the blind index of one of the deliveries. A mail the relay refused at once was never
 * accepted; its failure time stands in for the out-of-order comparison.
 */
async function applyHealth(
  db: Db | Tx,
  deliveryIds: number[],
  effect: HealthEffect,
  rules: HealthRules,
): Promise<void> {
  const streak = sql`case when a.last_bounce_at is null
      or a.last_bounce_at < now() - ${rules.windowDays} * interval '1 day'
    then 1 else a.soft_bounces + 1 end`;
  const change = {
    hard: sql`health = 'dead', last_bounce_at = now()`,
    soft: sql`soft_bounces = least(${streak}, 32767), last_bounce_at = now(),
      health = case when a.health = 'dead' or ${streak} >= ${rules.deadAfter} then 'dead'
        when ${streak} >= ${rules.failingAfter} then 'failing' else a.health end::address_health`,
    delivered: sql`health = 'active', soft_bounces = 0, last_delivered_at = now()`,
  }[effect];
  const sentAt = sql`coalesce(d.accepted_at, d.finished_at)`;
  const inOrder =
    effect === 'delivered'
      ? sql`(a.last_bounce_at is null or a.last_bounce_at <= ${sentAt})`
      : sql`(a.last_delivered_at is null or a.last_delivered_at <= ${sentAt})`;
  await db.execute(sql`
    update addresses a set ${change}
    from deliveries d join messages m on m.id = d.message_id
    where d.id = any(${sql.param(deliveryIds)}::bigint[]) and a.blind_index = d.blind_index
      and a.district_id = m.district_id and ${inOrder}
  `);
}

/** An address's health as its parent sees it on the account page (never to staff). */
export interface AddressHealthRow {
  addressId: number;
  position: number;
  health: AddressHealth;
  lastBounceAt: Date | null;
  lastDeliveredAt: Date | null;
}

/** The parent's own addresses with the dates that explain a failing or dead one. */
export async function addressHealthForRegistration(
  db: Db | Tx,
  registrationId: number,
): Promise<AddressHealthRow[]> {
  const rows = rowsOf<{
    addressId: number;
    position: number;
    health: AddressHealth;
    lastBounceAt: Date | string | null;
    lastDeliveredAt: Date | string | null;
  }>(
    await db.execute(sql`
      select id as "addressId", position, health, last_bounce_at as "lastBounceAt",
        last_delivered_at as "lastDeliveredAt"
      from addresses where registration_id = ${registrationId} order by position
    `),
  );
  const date = (value: Date | string | null) => (value === null ? null : new Date(value));
  return rows.map((row) => ({
    ...row,
    lastBounceAt: date(row.lastBounceAt),
    lastDeliveredAt: date(row.lastDeliveredAt),
  }));
}

/**
 * The households (of those given) with an address that is failing or dead: staff see that a
 * family's mail has trouble, never which address. For the call list's 「アドレス不達」 flag.
 */
export async function householdsWithFailingAddress(
  db: Db | Tx,
  householdIds: number[],
): Promise<Set<number>> {
  if (householdIds.length === 0) return new Set();
  const rows = rowsOf<{ householdId: number }>(
    await db.execute(sql`
      select distinct s.household_id as "householdId"
      from students s
      join registrations r on r.student_id = s.id
      join addresses a on a.registration_id = r.id
      where s.household_id = any(${sql.param(householdIds)}::int[]) and a.health <> 'active'
    `),
  );
  return new Set(rows.map((row) => Number(row.householdId)));
}

/** Retention: deletes the unparsed bounce reports received before `cutoff`; returns how many. */
export async function deleteUnparsedBounceReports(db: Db | Tx, cutoff: Date): Promise<number> {
  const rows = rowsOf<{ n: number }>(
    await db.execute(sql`
      with gone as (
        delete from bounce_reports
        where kind = 'unparsed' and created_at < ${cutoff.toISOString()}::timestamptz
        returning 1
      )
      select count(*)::int as n from gone
    `),
  );
  return rows[0]?.n ?? 0;
}
