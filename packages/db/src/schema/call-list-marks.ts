import { integer, pgTable, primaryKey, text, timestamp } from 'drizzle-orm/pg-core';
import { callMark } from './enums';
import { households } from './households';
import { messages } from './messages';
import { staffUsers } from './staff-users';

/** The latest mark on a call-list row, shared live so two teachers do not phone one family. */
export const callListMarks = pgTable(
  'call_list_marks',
  {
    messageId: integer('message_id')
      .notNull()
      .references(() => messages.id, { onDelete: 'cascade' }),
    householdId: integer('household_id')
      .notNull()
      .references(() => households.id, { onDelete: 'cascade' }),
    mark: callMark('mark').notNull(),
    note: text('note'),
    staffUserId: integer('staff_user_id').references(() => staffUsers.id, { onDelete: 'set null' }),
    markedAt: timestamp('marked_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.messageId, t.householdId] })],
);
