import { bigint, index, integer, jsonb, pgTable, text } from 'drizzle-orm/pg-core';
import { createdAt } from './columns';
import { districts } from './districts';

/** Who did what to whom: sends, call-list views, roster changes, logins. Never an address. */
export const auditEvents = pgTable(
  'audit_events',
  {
    id: bigint('id', { mode: 'number' }).primaryKey().generatedAlwaysAsIdentity(),
    districtId: integer('district_id').references(() => districts.id, { onDelete: 'cascade' }),
    actorType: text('actor_type').notNull(),
    actorId: integer('actor_id'),
    action: text('action').notNull(),
    subjectType: text('subject_type'),
    subjectId: text('subject_id'),
    detail: jsonb('detail').$type<Record<string, unknown>>().notNull().default({}),
    createdAt: createdAt(),
  },
  (t) => [index('audit_events_district_created_idx').on(t.districtId, t.createdAt)],
);
