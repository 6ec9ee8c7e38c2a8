import { and, eq } from 'drizzle-orm';
import type { Db, Tx } from '../client';
import { classes } from '../schema';

export type SchoolClass = typeof classes.$inferSelect;
export type NewSchoolClass = typeof classes.$inferInsert;

/** A year's classes in one statement (demo seed, roll-over). */
export function createClasses(db: Db | Tx, rows: NewSchoolClass[]): Promise<SchoolClass[]> {
  return db.insert(classes).values(rows).returning();
}

/** A class only counts as the school's when it belongs to that school: scope checks use this. */
export async function findSchoolClassById(
  db: Db | Tx,
  schoolId: number,
  classId: number,
): Promise<SchoolClass | undefined> {
  const [found] = await db
    .select()
    .from(classes)
    .where(and(eq(classes.schoolId, schoolId), eq(classes.id, classId)))
    .limit(1);
  return found;
}

/** Staff name a class as 「3年2組」 of a school year, not by id. */
export async function findSchoolClassByName(
  db: Db | Tx,
  where: { schoolId: number; schoolYear: number; grade: number; name: string },
): Promise<SchoolClass | undefined> {
  const [found] = await db
    .select()
    .from(classes)
    .where(
      and(
        eq(classes.schoolId, where.schoolId),
        eq(classes.schoolYear, where.schoolYear),
        eq(classes.grade, where.grade),
        eq(classes.name, where.name),
      ),
    )
    .limit(1);
  return found;
}
