import { index, integer, pgTable, smallint, text, unique } from 'drizzle-orm/pg-core';
import { createdAt } from './columns';
import { districts } from './districts';
import { schools } from './schools';

/** A class of one school year (年度); a new set is made at each roll-over. */
export const classes = pgTable(
  'classes',
  {
    id: integer('id').primaryKey().generatedAlwaysAsIdentity(),
    districtId: integer('district_id')
      .notNull()
      .references(() => districts.id, { onDelete: 'cascade' }),
    schoolId: integer('school_id')
      .notNull()
      .references(() => schools.id, { onDelete: 'cascade' }),
    schoolYear: smallint('school_year').notNull(),
    grade: smallint('grade').notNull(),
    name: text('name').notNull(),
    sortOrder: integer('sort_order').notNull().default(0),
    /** Optional per-class auth code; the school's applies when null. */
    authCode: text('auth_code'),
    createdAt: createdAt(),
  },
  (t) => [
    unique('classes_school_year_grade_name_unique').on(t.schoolId, t.schoolYear, t.grade, t.name),
    index('classes_school_year_idx').on(t.schoolId, t.schoolYear),
  ],
);
