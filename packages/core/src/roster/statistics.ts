import {
  listFigureClasses,
  registrationFigures,
  type Db,
  type RegistrationFigure,
} from '@renraku/db';
import {
  narrowedScopeFilter,
  ServiceError,
  type ScopeFilter,
  type StaffScope,
} from '@renraku/shared';

// Registration rate (登録率): roster households with a live registration / roster households.
// A household counts in a group (class, grade, school) when one of its enrolled students is in
// it, and as registered there when one of those students has a registration with an address
// that is not dead: at school level that is "any of its children", while a class shows whether
// that class's child is registered (siblings each register, leaflet). Unmatched registrations
// (no roster student fits the name) count nowhere and are shown per class to be chased up.

export interface RegistrationRate {
  rosterHouseholds: number;
  registeredHouseholds: number;
  /** 0–1; null when the group has no households. */
  rate: number | null;
}

/** A class's figures, the level a teacher works at. */
export interface ClassStatistics extends RegistrationRate {
  classId: number;
  grade: number;
  name: string;
  unmatchedRegistrations: number;
}

/** A grade's figures (siblings in two classes count once). */
export interface GradeStatistics extends RegistrationRate {
  grade: number;
  classes: ClassStatistics[];
}

/** A school's figures with its grades and classes, for the board's overview. */
export interface SchoolStatistics extends RegistrationRate {
  schoolId: number;
  schoolName: string;
  grades: GradeStatistics[];
}

/**
 * Figures within the staff member's scope: the board sees every school of its district (or one,
 * with schoolId), a school admin their school, a teacher their class.
 */
export async function registrationStatistics(
  db: Db,
  scope: StaffScope,
  input: { schoolId?: number } = {},
): Promise<SchoolStatistics[]> {
  const filter = statisticsFilterOf(scope, input.schoolId);
  const key = (schoolId: number, grade: number | null, classId: number | null) =>
    `${schoolId}:${grade ?? ''}:${classId ?? ''}`;
  const figures = new Map(
    (await registrationFigures(db, filter)).map((f) => [key(f.schoolId, f.grade, f.classId), f]),
  );
  const classes = await listFigureClasses(db, filter);
  const figureOf = (schoolId: number, grade: number | null, classId: number | null) =>
    rateOf(figures.get(key(schoolId, grade, classId)));

  const schools: SchoolStatistics[] = [];
  for (const cls of classes) {
    let school = schools.find((s) => s.schoolId === cls.schoolId);
    if (!school) {
      school = {
        schoolId: cls.schoolId,
        schoolName: cls.schoolName,
        ...figureOf(cls.schoolId, null, null),
        grades: [],
      };
      schools.push(school);
    }
    let grade = school.grades.find((g) => g.grade === cls.grade);
    if (!grade) {
      grade = { grade: cls.grade, ...figureOf(cls.schoolId, cls.grade, null), classes: [] };
      school.grades.push(grade);
    }
    grade.classes.push({
      classId: cls.classId,
      grade: cls.grade,
      name: cls.className,
      unmatchedRegistrations: cls.unmatchedRegistrations,
      ...figureOf(cls.schoolId, cls.grade, cls.classId),
    });
  }
  return schools;
}

/** The scope as a query filter; asking for another school than one's own is refused. */
export function statisticsFilterOf(scope: StaffScope, schoolId?: number): ScopeFilter {
  const filter = narrowedScopeFilter(scope, schoolId);
  if (!filter) throw new ServiceError('forbidden', 'refusal.statistics.otherSchool');
  return filter;
}

function rateOf(figure: RegistrationFigure | undefined): RegistrationRate {
  const rosterHouseholds = figure?.rosterHouseholds ?? 0;
  const registeredHouseholds = figure?.registeredHouseholds ?? 0;
  return {
    rosterHouseholds,
    registeredHouseholds,
    rate: rosterHouseholds === 0 ? null : registeredHouseholds / rosterHouseholds,
  };
}
