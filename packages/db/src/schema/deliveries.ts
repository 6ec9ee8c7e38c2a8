import { sql } from 'drizzle-orm';
import {
  bigint,
  index,
  integer,
  pgTable,
  smallint,
  text,
  timestamp,
  unique,
} from 'drizzle-orm/pg-core';
import { createdAt, updatedAt } from './columns';
import { deliveryChannel, deliveryState } from './enums';
import { messages } from './messages';

/**
 * One mail to one address, or one push to one subscribed device, for one message: the unit the
 * dispatcher claims, sends and reports. Siblings sharing an address (or a device) get one
 * delivery (unique per blind index, which for a push is the subscription's endpoint index).
 */
export const deliveries = pgTable(
  'deliveries',
  {
    id: bigint('id', { mode: 'number' }).primaryKey().generatedAlwaysAsIdentity(),
    messageId: integer('message_id')
      .notNull()
      .references(() => messages.id, { onDelete: 'cascade' }),
    /**
     * The address mailed. Not a foreign key (a per-row check the fan-out cannot afford):
     * once the parent withdraws it points nowhere, and the dispatcher fails the delivery unsent.
     */
    addressId: integer('address_id'),
    channel: deliveryChannel('channel').notNull().default('mail'),
    /** The device pushed to, for a push; like address_id, no foreign key, and null once removed. */
    pushSubscriptionId: integer('push_subscription_id'),
    blindIndex: text('blind_index').notNull(),
    /** The carrier's domain for a mail, the push service's origin for a push. */
    carrierDomain: text('carrier_domain').notNull(),
    /** Where the progress bars count this mail (the first child it serves). */
    schoolId: integer('school_id'),
    classId: integer('class_id'),
    /** The children named at the top of the mail when one address serves several siblings. */
    childNames: text('child_names').array(),
    /** SENDING_PRIORITY of the message's category: emergencies are claimed first. */
    priority: smallint('priority').notNull().default(1),
    state: deliveryState('state').notNull().default('queued'),
    attempts: smallint('attempts').notNull().default(0),
    nextAttemptAt: timestamp('next_attempt_at', { withTimezone: true }).notNull().defaultNow(),
    leaseOwner: text('lease_owner'),
    leaseExpiresAt: timestamp('lease_expires_at', { withTimezone: true }),
    replyCode: smallint('reply_code'),
    replyText: text('reply_text'),
    acceptedAt: timestamp('accepted_at', { withTimezone: true }),
    finishedAt: timestamp('finished_at', { withTimezone: true }),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [
    unique('deliveries_message_blind_index_unique').on(t.messageId, t.blindIndex),
    // Claiming: work that is due, emergencies first, then oldest first.
    index('deliveries_claimable_idx')
      .on(t.priority, t.nextAttemptAt)
      .where(sql`${t.state} in ('queued', 'deferred')`),
    // Reclaiming a crashed worker's leases.
    index('deliveries_lease_idx')
      .on(t.leaseExpiresAt)
      .where(sql`${t.state} = 'sending'`),
    // Progress counts per message, school and class.
    index('deliveries_message_state_idx').on(t.messageId, t.state),
    index('deliveries_message_class_state_idx').on(t.messageId, t.classId, t.state),
  ],
);
