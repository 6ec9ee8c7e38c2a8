import { integer, pgTable, text } from 'drizzle-orm/pg-core';
import { createdAt } from './columns';

/** A board of education; one installation may host several. */
export const districts = pgTable('districts', {
  id: integer('id').primaryKey().generatedAlwaysAsIdentity(),
  code: text('code').notNull().unique(),
  name: text('name').notNull(),
  createdAt: createdAt(),
});
