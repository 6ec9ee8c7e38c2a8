import type { ConfirmRequest, FilledVariants, MessageTarget, SlotValues } from '@renraku/shared';
import { sql } from 'drizzle-orm';
import {
  type AnyPgColumn,
  index,
  integer,
  jsonb,
  pgTable,
  text,
  timestamp,
  unique,
} from 'drizzle-orm/pg-core';
import { createdAt } from './columns';
import { districts } from './districts';
import { messageCategory, messageState } from './enums';
import { messageSchedules } from './message-schedules';
import { messageTemplates } from './message-templates';
import { schools } from './schools';
import { staffUsers } from './staff-users';

/** One send (配信): what, to whom, by whom, and where it stands. */
export const messages = pgTable(
  'messages',
  {
    id: integer('id').primaryKey().generatedAlwaysAsIdentity(),
    districtId: integer('district_id')
      .notNull()
      .references(() => districts.id, { onDelete: 'cascade' }),
    /** The sending school; null when the board sends. */
    schoolId: integer('school_id').references(() => schools.id, { onDelete: 'cascade' }),
    authorId: integer('author_id').references(() => staffUsers.id, { onDelete: 'set null' }),
    scheduleId: integer('schedule_id').references(() => messageSchedules.id, {
      onDelete: 'set null',
    }),
    category: messageCategory('category').notNull(),
    subject: text('subject').notNull(),
    body: text('body').notNull(),
    target: jsonb('target').$type<MessageTarget>().notNull(),
    state: messageState('state').notNull().default('draft'),
    /** Set by the client per compose form, so a double submit creates one message. */
    idempotencyKey: text('idempotency_key'),
    /** SHA-256 of the request the key came with: a reused key with another body is refused. */
    requestHash: text('request_hash'),
    scheduledAt: timestamp('scheduled_at', { withTimezone: true }),
    recipientCount: integer('recipient_count').notNull().default(0),
    /** Set when the deliveries were created; a scheduled message waits for it until due. */
    fannedOutAt: timestamp('fanned_out_at', { withTimezone: true }),
    createdAt: createdAt(),
    queuedAt: timestamp('queued_at', { withTimezone: true }),
    startedAt: timestamp('started_at', { withTimezone: true }),
    finishedAt: timestamp('finished_at', { withTimezone: true }),
    /** 安否確認: what the message asks each family to answer; null when it asks nothing. */
    confirm: jsonb('confirm').$type<ConfirmRequest>(),
    /** Fan-out time + the deadline: when unconfirmed households are chased. */
    confirmDeadlineAt: timestamp('confirm_deadline_at', { withTimezone: true }),
    /** When the deadline's re-send to unconfirmed households was made (once). */
    chasedAt: timestamp('chased_at', { withTimezone: true }),
    /** When households still unconfirmed after the re-send joined the call list. */
    escalatedAt: timestamp('escalated_at', { withTimezone: true }),
    /** A re-send (【再送】) names the message it chases; its confirmations count there. */
    /** The template it was written from; null for a free message (Japanese only). */
    templateId: integer('template_id').references(() => messageTemplates.id, {
      onDelete: 'set null',
    }),
    /** The values its slots were filled with. */
    templateSlots: jsonb('template_slots').$type<SlotValues>(),
    /**
     * The filled text of every language the template carried when sent (subject and body are
     * its 'ja'), so that a later edit of the template never changes a sent message.
     */
    variants: jsonb('variants').$type<FilledVariants>(),
    resendOf: integer('resend_of').references((): AnyPgColumn => messages.id, {
      onDelete: 'cascade',
    }),
  },
  (t) => [
    unique('messages_author_idempotency_unique').on(t.authorId, t.idempotencyKey),
    index('messages_district_created_idx').on(t.districtId, t.createdAt),
    index('messages_school_created_idx').on(t.schoolId, t.createdAt),
    index('messages_state_scheduled_idx').on(t.state, t.scheduledAt),
    // The chasing loop: messages whose deadline or escalation is still to come.
    index('messages_confirm_due_idx')
      .on(t.confirmDeadlineAt)
      .where(sql`${t.confirmDeadlineAt} is not null and ${t.escalatedAt} is null`),
    index('messages_resend_of_idx').on(t.resendOf),
  ],
);
