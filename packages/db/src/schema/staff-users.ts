import { sql } from 'drizzle-orm';
import { integer, pgTable, text, timestamp, uniqueIndex } from 'drizzle-orm/pg-core';
import { classes } from './classes';
import { createdAt } from './columns';
import { districts } from './districts';
import { staffRole } from './enums';
import { schools } from './schools';

/** Board staff, school admins and teachers; role plus school/class is the scope. */
export const staffUsers = pgTable(
  'staff_users',
  {
    id: integer('id').primaryKey().generatedAlwaysAsIdentity(),
    districtId: integer('district_id')
      .notNull()
      .references(() => districts.id, { onDelete: 'cascade' }),
    login: text('login').notNull(),
    passwordHash: text('password_hash').notNull(),
    displayName: text('display_name').notNull(),
    role: staffRole('role').notNull(),
    schoolId: integer('school_id').references(() => schools.id, { onDelete: 'cascade' }),
    classId: integer('class_id').references(() => classes.id, { onDelete: 'set null' }),
    locale: text('locale').notNull().default('ja'),
    disabledAt: timestamp('disabled_at', { withTimezone: true }),
    lastLoginAt: timestamp('last_login_at', { withTimezone: true }),
    createdAt: createdAt(),
  },
  (t) => [uniqueIndex('staff_users_login_unique').on(sql`lower(${t.login})`)],
);
