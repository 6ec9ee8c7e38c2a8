import { and, asc, eq, max } from 'drizzle-orm';
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

/** The newest school year the school has classes for (a roll-over in March already counts). */
export async function latestSchoolYearOf(db: Db | Tx, schoolId: number): Promise<number | null> {
  const [row] = await db
    .select({ year: max(classes.schoolYear) })
    .from(classes)
    .where(eq(classes.schoolId, schoolId));
  return row?.year ?? null;
}

/** A class as roster work needs it, including the optional class auth code. */
export interface RosterClass {
  id: number;
  schoolId: number;
  schoolYear: number;
  grade: number;
  name: string;
  sortOrder: number;
  authCode: string | null;
}

const rosterClassColumns = {
  id: classes.id,
  schoolId: classes.schoolId,
  schoolYear: classes.schoolYear,
  grade: classes.grade,
  name: classes.name,
  sortOrder: classes.sortOrder,
  authCode: classes.authCode,
};

/** Imports, sheets and auth codes work on one school year's classes, in display order. */
export async function listClassesOfYear(
  db: Db | Tx,
  schoolId: number,
  schoolYear: number,
): Promise<RosterClass[]> {
  return db
    .select(rosterClassColumns)
    .from(classes)
    .where(and(eq(classes.schoolId, schoolId), eq(classes.schoolYear, schoolYear)))
    .orderBy(asc(classes.grade), asc(classes.sortOrder), asc(classes.name));
}

/** A null code makes the class use the school's code again. */
export async function setClassAuthCode(
  db: Db | Tx,
  classId: number,
  authCode: string | null,
): Promise<void> {
  await db.update(classes).set({ authCode }).where(eq(classes.id, classId));
}
