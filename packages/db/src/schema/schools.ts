import { integer, pgTable, text, timestamp, unique } from 'drizzle-orm/pg-core';
import { createdAt } from './columns';
import { districts } from './districts';
import { schoolKind } from './enums';

/** 小学校 or 中学校, with the address parents send their empty mail to and its auth code. */
export const schools = pgTable(
  'schools',
  {
    id: integer('id').primaryKey().generatedAlwaysAsIdentity(),
    districtId: integer('district_id')
      .notNull()
      .references(() => districts.id, { onDelete: 'cascade' }),
    code: text('code').notNull(),
    name: text('name').notNull(),
    kind: schoolKind('kind').notNull(),
    registrationAddress: text('registration_address').notNull().unique(),
    authCode: text('auth_code').notNull(),
    authCodeRotatedAt: timestamp('auth_code_rotated_at', { withTimezone: true })
      .notNull()
      .defaultNow(),
    sortOrder: integer('sort_order').notNull().default(0),
    createdAt: createdAt(),
  },
  (t) => [unique('schools_district_code_unique').on(t.districtId, t.code)],
);
