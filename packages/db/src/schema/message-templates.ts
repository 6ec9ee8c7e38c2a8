import type { SlotType, TemplateLanguage, TemplateText } from '@renraku/shared';
import { sql } from 'drizzle-orm';
import { index, integer, jsonb, pgTable, text, uniqueIndex } from 'drizzle-orm/pg-core';
import { createdAt, updatedAt } from './columns';
import { districts } from './districts';
import { messageCategory } from './enums';
import { schools } from './schools';

/**
 * 定型文: the district's catalogue (school_id null, kept by the board) and a school's own
 * (visible to that school and the board). Its variants are one document per template: a
 * translation is only ever saved, checked and filled together with the others.
 */
export const messageTemplates = pgTable(
  'message_templates',
  {
    id: integer('id').primaryKey().generatedAlwaysAsIdentity(),
    districtId: integer('district_id')
      .notNull()
      .references(() => districts.id, { onDelete: 'cascade' }),
    /** The school whose own template it is; null for the district's catalogue. */
    schoolId: integer('school_id').references(() => schools.id, { onDelete: 'cascade' }),
    /** The seed catalogue's stable key (installSeedTemplates); null for staff's own. */
    key: text('key'),
    name: text('name').notNull(),
    category: messageCategory('category').notNull(),
    /** Slot name as written in braces → its type: { 日付: 'date' }. */
    slots: jsonb('slots').$type<Record<string, SlotType>>().notNull(),
    /** The languages it carries; 'ja' always. */
    variants: jsonb('variants').$type<Partial<Record<TemplateLanguage, TemplateText>>>().notNull(),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [
    uniqueIndex('message_templates_district_key_unique')
      .on(t.districtId, t.key)
      .where(sql`${t.key} is not null`),
    index('message_templates_district_school_idx').on(t.districtId, t.schoolId),
  ],
);
