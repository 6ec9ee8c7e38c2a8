import type { AuditAction } from '@renraku/shared';
import { bigint, index, integer, jsonb, pgTable, text } from 'drizzle-orm/pg-core';
import { createdAt } from './columns';
import { districts } from './districts';
import { schools } from './schools';

/**
 * Who did what to whom: sends, call-list views, roster changes, logins. Never an address.
 * Append-only: a trigger (migration audit_append_only) refuses UPDATE, DELETE and TRUNCATE.
 */
export const auditEvents = pgTable(
  'audit_events',
  {
    id: bigint('id', { mode: 'number' }).primaryKey().generatedAlwaysAsIdentity(),
    districtId: integer('district_id').references(() => districts.id, { onDelete: 'cascade' }),
    /**
     * The one school the event is about, so a school admin's trail needs no digging in detail;
     * null for district-wide events (a message to every school or to several). No ON DELETE:
     * a school with a trail cannot be deleted on its own.
     */
    schoolId: integer('school_id').references(() => schools.id),
    actorType: text('actor_type').notNull(),
    actorId: integer('actor_id'),
    action: text('action').$type<AuditAction>().notNull(),
    subjectType: text('subject_type'),
    subjectId: text('subject_id'),
    detail: jsonb('detail').$type<Record<string, unknown>>().notNull().default({}),
    createdAt: createdAt(),
  },
  (t) => [
    index('audit_events_district_created_idx').on(t.districtId, t.createdAt),
    index('audit_events_school_created_idx').on(t.schoolId, t.createdAt),
  ],
);
