import { index, integer, pgTable, text, unique } from 'drizzle-orm/pg-core';
import { createdAt, updatedAt } from './columns';
import { classes } from './classes';
import { districts } from './districts';
import { studentStatus } from './enums';
import { households } from './households';
import { schools } from './schools';

/** The school's roster (名簿); grade comes from the class. */
export const students = pgTable(
  'students',
  {
    id: integer('id').primaryKey().generatedAlwaysAsIdentity(),
    districtId: integer('district_id')
      .notNull()
      .references(() => districts.id, { onDelete: 'cascade' }),
    schoolId: integer('school_id')
      .notNull()
      .references(() => schools.id, { onDelete: 'cascade' }),
    classId: integer('class_id')
      .notNull()
      .references(() => classes.id),
    householdId: integer('household_id')
      .notNull()
      .references(() => households.id),
    /** School-unique student number; a re-import updates by it. */
    rosterNumber: text('roster_number').notNull(),
    name: text('name').notNull(),
    kana: text('kana').notNull(),
    status: studentStatus('status').notNull().default('enrolled'),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [
    unique('students_school_roster_number_unique').on(t.schoolId, t.rosterNumber),
    index('students_class_idx').on(t.classId),
    index('students_household_idx').on(t.householdId),
  ],
);
