import type { MessageTarget } from '@renraku/shared';
import { boolean, integer, jsonb, pgTable, smallint, text, timestamp } from 'drizzle-orm/pg-core';
import { createdAt } from './columns';
import { districts } from './districts';
import { messageCategory } from './enums';
import { staffUsers } from './staff-users';

/** The board's recurring mail (leaflet: 月１回程度, also a check that the system works). */
export const messageSchedules = pgTable('message_schedules', {
  id: integer('id').primaryKey().generatedAlwaysAsIdentity(),
  districtId: integer('district_id')
    .notNull()
    .references(() => districts.id, { onDelete: 'cascade' }),
  authorId: integer('author_id').references(() => staffUsers.id, { onDelete: 'set null' }),
  category: messageCategory('category').notNull(),
  subject: text('subject').notNull(),
  body: text('body').notNull(),
  target: jsonb('target').$type<MessageTarget>().notNull(),
  /** Day of the month (1–28) and time of day (HH:MM, Japan time) of each run. */
  dayOfMonth: smallint('day_of_month').notNull(),
  timeOfDay: text('time_of_day').notNull(),
  nextRunAt: timestamp('next_run_at', { withTimezone: true }).notNull(),
  active: boolean('active').notNull().default(true),
  createdAt: createdAt(),
});
