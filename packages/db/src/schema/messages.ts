import type { MessageTarget } from '@renraku/shared';
import { index, integer, jsonb, pgTable, text, timestamp, unique } from 'drizzle-orm/pg-core';
import { createdAt } from './columns';
import { districts } from './districts';
import { messageCategory, messageState } from './enums';
import { messageSchedules } from './message-schedules';
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
  },
  (t) => [
    unique('messages_author_idempotency_unique').on(t.authorId, t.idempotencyKey),
    index('messages_district_created_idx').on(t.districtId, t.createdAt),
    index('messages_school_created_idx').on(t.schoolId, t.createdAt),
    index('messages_state_scheduled_idx').on(t.state, t.scheduledAt),
  ],
);
