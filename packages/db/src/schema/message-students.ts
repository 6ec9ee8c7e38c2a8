import { index, integer, pgTable, primaryKey } from 'drizzle-orm/pg-core';
import { messages } from './messages';

/**
 * The roster students a message targeted, fixed at fan-out: the call list and the
 * per-class figures stay right even when the roster changes after the send. Only the
 * message is a foreign key: a snapshot must not follow later roster deletions, and each
 * foreign key is a check per inserted row that a 30,000-student fan-out cannot afford.
 */
export const messageStudents = pgTable(
  'message_students',
  {
    messageId: integer('message_id')
      .notNull()
      .references(() => messages.id, { onDelete: 'cascade' }),
    studentId: integer('student_id').notNull(),
    householdId: integer('household_id').notNull(),
    schoolId: integer('school_id').notNull(),
    classId: integer('class_id').notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.messageId, t.studentId] }),
    index('message_students_household_idx').on(t.messageId, t.householdId),
  ],
);
