import { and, asc, eq, inArray } from 'drizzle-orm';
import type { SchoolKind, ScopeFilter } from '@renraku/shared';
import type { Db, Tx } from '../client';
import { schoolOrder } from './schools';
import { classes, schools } from '../schema';

// What a compose form may offer as a target, and which target ids exist at all: the send
// service checks every target against the author's scope with these before a message exists.

/** A school as the compose form lists it. */
export interface TargetSchool {
  id: number;
  name: string;
  kind: SchoolKind;
}

/** A class of the school year as the compose form lists it. */
export interface TargetClass {
  id: number;
  schoolId: number;
  grade: number;
  name: string;
}

/** The schools and classes a staff member may choose from: the whole district, a school, a class. */
export async function listTargetOptions(
  db: Db | Tx,
  scope: ScopeFilter,
  schoolYear: number,
): Promise<{ schools: TargetSchool[]; classes: TargetClass[] }> {
  const schoolFilter = and(
    eq(schools.districtId, scope.districtId),
    scope.schoolId === undefined ? undefined : eq(schools.id, scope.schoolId),
  );
  const classFilter = and(
    eq(classes.districtId, scope.districtId),
    eq(classes.schoolYear, schoolYear),
    scope.schoolId === undefined ? undefined : eq(classes.schoolId, scope.schoolId),
    scope.classId === undefined ? undefined : eq(classes.id, scope.classId),
  );
  const [schoolRows, classRows] = await Promise.all([
    db
      .select({ id: schools.id, name: schools.name, kind: schools.kind })
      .from(schools)
      .where(schoolFilter)
      .orderBy(schoolOrder()),
    db
      .select({
        id: classes.id,
        schoolId: classes.schoolId,
        grade: classes.grade,
        name: classes.name,
      })
      .from(classes)
      .where(classFilter)
      .orderBy(
        asc(classes.schoolId),
        asc(classes.grade),
        asc(classes.sortOrder),
        asc(classes.name),
      ),
  ]);
  return { schools: schoolRows, classes: classRows };
}

/**
 * Of the given ids, the schools of the district and the classes of the district's school
 * year that exist: an id missing from the answer is unknown to this district.
 */
export async function findTargetIds(
  db: Db | Tx,
  districtId: number,
  schoolYear: number,
  ids: { schoolIds: number[]; classIds: number[] },
): Promise<{ schools: Pick<TargetSchool, 'id' | 'kind'>[]; classes: Omit<TargetClass, 'name'>[] }> {
  const [schoolRows, classRows] = await Promise.all([
    ids.schoolIds.length === 0
      ? []
      : db
          .select({ id: schools.id, kind: schools.kind })
          .from(schools)
          .where(and(eq(schools.districtId, districtId), inArray(schools.id, ids.schoolIds))),
    ids.classIds.length === 0
      ? []
      : db
          .select({ id: classes.id, schoolId: classes.schoolId, grade: classes.grade })
          .from(classes)
          .where(
            and(
              eq(classes.districtId, districtId),
              eq(classes.schoolYear, schoolYear),
              inArray(classes.id, ids.classIds),
            ),
          ),
  ]);
  return { schools: schoolRows, classes: classRows };
}
