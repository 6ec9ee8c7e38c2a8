import { sql } from 'drizzle-orm';
import {
  boolean,
  index,
  integer,
  pgTable,
  text,
  timestamp,
  uniqueIndex,
} from 'drizzle-orm/pg-core';
import { createdAt, updatedAt } from './columns';
import { classes } from './classes';
import { districts } from './districts';
import { templateLanguage } from './enums';
import { schools } from './schools';
import { students } from './students';

/** One per child (siblings register separately); matched to a roster student when one fits. */
export const registrations = pgTable(
  'registrations',
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
    studentId: integer('student_id').references(() => students.id, { onDelete: 'set null' }),
    loginId: text('login_id').notNull(),
    passwordHash: text('password_hash').notNull(),
    childName: text('child_name').notNull(),
    childKana: text('child_kana').notNull(),
    /**
     * 教育情報 by mail; the parent may turn it off (push still brings it, when a device has it).
     * Emergencies go by every channel whatever this says.
     */
    educationMail: boolean('education_mail').notNull().default(true),
    /**
     * The language the parent reads a template's message in, above the Japanese original. On
     * the registration because that is the account /account logs into and the mail's owner.
     */
    language: templateLanguage('language').notNull().default('ja'),
    lastLoginAt: timestamp('last_login_at', { withTimezone: true }),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [
    uniqueIndex('registrations_district_login_unique').on(t.districtId, sql`lower(${t.loginId})`),
    index('registrations_class_idx').on(t.classId),
    // Covers what the call list reads of a targeted child's registration: an index-only scan.
    index('registrations_student_idx').on(t.studentId, t.id, t.educationMail),
  ],
);

/** The owner columns of what belongs to one registration (its addresses, its push devices). */
export const registrationOwner = () => ({
  districtId: integer('district_id')
    .notNull()
    .references(() => districts.id, { onDelete: 'cascade' }),
  registrationId: integer('registration_id')
    .notNull()
    .references(() => registrations.id, { onDelete: 'cascade' }),
});
