import {
  createClasses,
  latestSchoolYearOf,
  listClassesOfYear,
  type Db,
  type RosterClass,
  type RosterSchool,
  type Tx,
} from '@renraku/db';
import { schoolYearOf } from '@renraku/shared';
import { classKey } from './fields';

/** The school's newest school year with classes, or this school year for a school without any. */
export async function currentSchoolYear(
  db: Db | Tx,
  schoolId: number,
  now = new Date(),
): Promise<number> {
  return (await latestSchoolYearOf(db, schoolId)) ?? schoolYearOf(now);
}

/** The classes parents choose from and admins work on: the school's current year's. */
export async function currentClasses(
  db: Db | Tx,
  schoolId: number,
  now?: Date,
): Promise<{ schoolYear: number; classes: RosterClass[] }> {
  const schoolYear = await currentSchoolYear(db, schoolId, now);
  return { schoolYear, classes: await listClassesOfYear(db, schoolId, schoolYear) };
}

/** 「3組」 sorts as 3; named classes after the numbered ones, in the order they came. */
export function sortOrderOf(name: string, index: number): number {
  const numbered = /^(\d+)組$/.exec(name);
  return numbered ? Number(numbered[1]) : 100 + index;
}

/** Creates a school year's new classes; returns their ids by classKey. */
export async function createYearClasses(
  tx: Tx,
  school: RosterSchool,
  schoolYear: number,
  rows: readonly { grade: number; name: string; sortOrder: number }[],
): Promise<Map<string, number>> {
  if (rows.length === 0) return new Map();
  const created = await createClasses(
    tx,
    rows.map((row) => ({ districtId: school.districtId, schoolId: school.id, schoolYear, ...row })),
  );
  return new Map(created.map((c) => [classKey(c.grade, c.name), c.id]));
}
