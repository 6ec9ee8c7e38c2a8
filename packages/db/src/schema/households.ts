import { integer, jsonb, pgTable, text, unique } from 'drizzle-orm/pg-core';
import { createdAt, updatedAt } from './columns';
import { districts } from './districts';
import { schools } from './schools';

/** A roster phone number as the school holds it; shown on the call list. */
export interface RosterPhone {
  label: string;
  number: string;
}

/** Siblings share a household: one call-list row, one set of phone numbers. */
export const households = pgTable(
  'households',
  {
    id: integer('id').primaryKey().generatedAlwaysAsIdentity(),
    districtId: integer('district_id')
      .notNull()
      .references(() => districts.id, { onDelete: 'cascade' }),
    schoolId: integer('school_id')
      .notNull()
      .references(() => schools.id, { onDelete: 'cascade' }),
    /** The key the school's roster uses; unique within the school. */
    householdKey: text('household_key').notNull(),
    phones: jsonb('phones').$type<RosterPhone[]>().notNull().default([]),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [unique('households_school_key_unique').on(t.schoolId, t.householdKey)],
);
