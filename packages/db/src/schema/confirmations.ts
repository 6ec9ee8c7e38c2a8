import {
  bigint,
  boolean,
  index,
  integer,
  pgTable,
  primaryKey,
  smallint,
  text,
  timestamp,
} from 'drizzle-orm/pg-core';
import { confirmChannel } from './enums';
import { messages } from './messages';

/**
 * A household's answer to a message that asks for confirmation (安否確認): its own fact beside
 * the deliveries, which keep their delivery state. One row per household, the last answer
 * winning; any address of any of its children confirms it. The household is not a foreign key,
 * like message_students: the answer must outlive roster changes, and a tap burst of 30,000
 * families cannot afford a check per row.
 */
export const confirmations = pgTable(
  'confirmations',
  {
    /** The message asked (a re-send's answers count for the message it chases). */
    messageId: integer('message_id')
      .notNull()
      .references(() => messages.id, { onDelete: 'cascade' }),
    householdId: integer('household_id').notNull(),
    /** The delivery whose link or reply address answered; names no address. */
    deliveryId: bigint('delivery_id', { mode: 'number' }).notNull(),
    /** 0 「確認しました」, 1..N the message's choices. */
    choice: smallint('choice').notNull(),
    channel: confirmChannel('channel').notNull(),
    /** The answer came after the message's deadline. */
    late: boolean('late').notNull().default(false),
    /** A reply's own words (≤ 200 characters, quotes and signature cut, addresses scrubbed). */
    replyWords: text('reply_words'),
    firstConfirmedAt: timestamp('first_confirmed_at', { withTimezone: true })
      .notNull()
      .defaultNow(),
    confirmedAt: timestamp('confirmed_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    primaryKey({ columns: [t.messageId, t.householdId] }),
    // The confirmation rate over time.
    index('confirmations_message_first_idx').on(t.messageId, t.firstConfirmedAt),
  ],
);
