import { index, integer, pgTable, primaryKey } from 'drizzle-orm/pg-core';
import { classes } from './classes';
import { households } from './households';
import { messages } from './messages';
import { schools } from './schools';
import { students } from './students';

/**
 * The roster students a message targeted, fixed at fan-out: the call list and the
 * per-class figures stay right even when the roster changes after the send.
 */
export const messageStudents = pgTable(
  'message_students',
  {
    messageId: integer('message_id')
      .notNull()
      .references(() => messages.id, { onDelete: 'cascade' }),
    studentId: integer('student_id')
      .notNull()
      .references(() => students.id, { onDelete: 'cascade' }),
    householdId: integer('household_id')
      .notNull()
      .references(() => households.id, { onDelete: 'cascade' }),
    schoolId: integer('school_id')
      .notNull()
      .references(() => schools.id, { onDelete: 'cascade' }),
    classId: integer('class_id')
      .notNull()
      .references(() => classes.id, { onDelete: 'cascade' }),
  },
  (t) => [
    primaryKey({ columns: [t.messageId, t.studentId] }),
    index('message_students_household_idx').on(t.messageId, t.householdId),
  ],
);
