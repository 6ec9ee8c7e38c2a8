import { and, asc, eq, isNull, or, sql } from 'drizzle-orm';
import type {
  MessageCategory,
  SeedTemplate,
  SlotType,
  TemplateLanguage,
  TemplateText,
} from '@renraku/shared';
import type { Db, Tx } from '../client';
import { messageTemplates, schools } from '../schema';

// 定型文: the district's catalogue and the schools' own. The caller has checked the shape and
// the scope; a template is always read and written within one district.

export interface MessageTemplate {
  id: number;
  districtId: number;
  /** Null for the district's catalogue. */
  schoolId: number | null;
  schoolName: string | null;
  key: string | null;
  name: string;
  category: MessageCategory;
  slots: Record<string, SlotType>;
  variants: Partial<Record<TemplateLanguage, TemplateText>>;
}

/** What staff save: the template without its place. */
export interface TemplateFields {
  name: string;
  category: MessageCategory;
  slots: Record<string, SlotType>;
  variants: Partial<Record<TemplateLanguage, TemplateText>>;
}

const columns = {
  id: messageTemplates.id,
  districtId: messageTemplates.districtId,
  schoolId: messageTemplates.schoolId,
  schoolName: schools.name,
  key: messageTemplates.key,
  name: messageTemplates.name,
  category: messageTemplates.category,
  slots: messageTemplates.slots,
  variants: messageTemplates.variants,
};

/**
 * The templates a staff member may pick: the district's and, for a school's staff, their own
 * school's; the board (schoolId undefined) sees every school's too. District ones first.
 */
export function listTemplates(
  db: Db | Tx,
  filter: { districtId: number; schoolId?: number },
): Promise<MessageTemplate[]> {
  return db
    .select(columns)
    .from(messageTemplates)
    .leftJoin(schools, eq(schools.id, messageTemplates.schoolId))
    .where(
      and(
        eq(messageTemplates.districtId, filter.districtId),
        filter.schoolId === undefined
          ? undefined
          : or(isNull(messageTemplates.schoolId), eq(messageTemplates.schoolId, filter.schoolId)),
      ),
    )
    .orderBy(sql`${messageTemplates.schoolId} nulls first`, asc(messageTemplates.id));
}

/** One template of the district, or null. */
export async function findTemplate(
  db: Db | Tx,
  districtId: number,
  templateId: number,
): Promise<MessageTemplate | null> {
  const [row] = await db
    .select(columns)
    .from(messageTemplates)
    .leftJoin(schools, eq(schools.id, messageTemplates.schoolId))
    .where(and(eq(messageTemplates.districtId, districtId), eq(messageTemplates.id, templateId)));
  return row ?? null;
}

export async function insertTemplate(
  db: Db | Tx,
  place: { districtId: number; schoolId: number | null },
  fields: TemplateFields,
): Promise<number> {
  const [row] = await db
    .insert(messageTemplates)
    .values({ ...place, ...fields })
    .returning({ id: messageTemplates.id });
  return row!.id;
}

export async function updateTemplate(
  db: Db | Tx,
  districtId: number,
  templateId: number,
  fields: TemplateFields,
): Promise<void> {
  await db
    .update(messageTemplates)
    .set({ ...fields, updatedAt: new Date() })
    .where(and(eq(messageTemplates.districtId, districtId), eq(messageTemplates.id, templateId)));
}

export async function deleteTemplate(
  db: Db | Tx,
  districtId: number,
  templateId: number,
): Promise<void> {
  await db
    .delete(messageTemplates)
    .where(and(eq(messageTemplates.districtId, districtId), eq(messageTemplates.id, templateId)));
}

/**
 * Adds the seed catalogue's templates the district does not have yet (by key), leaving any the
 * board already edited as they are; returns how many were added.
 */
export async function insertSeedTemplates(
  db: Db | Tx,
  districtId: number,
  seeds: readonly SeedTemplate[],
): Promise<number> {
  if (seeds.length === 0) return 0;
  const rows = await db
    .insert(messageTemplates)
    .values(
      seeds.map((seed) => ({
        districtId,
        schoolId: null,
        key: seed.key,
        name: seed.name,
        category: seed.category,
        slots: { ...seed.slots },
        variants: { ...seed.variants },
      })),
    )
    .onConflictDoNothing({
      target: [messageTemplates.districtId, messageTemplates.key],
      where: sql`${messageTemplates.key} is not null`,
    })
    .returning({ id: messageTemplates.id });
  return rows.length;
}
