import type { StaffScope } from './domain';

/**
 * Where a delivery, student, message or failure belongs. A district-wide message has no school
 * and no class; a school message has no class.
 */
export interface Place {
  districtId: number;
  schoolId: number | null;
  classId: number | null;
}

/** Whether a staff member of this scope may see a thing at this place. */
export function sees(scope: StaffScope, place: Place): boolean {
  if (place.districtId !== scope.districtId) return false;
  switch (scope.role) {
    case 'board':
      return true;
    case 'school_admin':
      return place.schoolId === scope.schoolId;
    case 'teacher':
      return place.schoolId === scope.schoolId && place.classId === scope.classId;
  }
}

/** The one Socket.IO room a staff member's sockets are put in; live events go to these rooms. */
export function scopeRoom(scope: StaffScope): string {
  switch (scope.role) {
    case 'board':
      return `district:${scope.districtId}`;
    case 'school_admin':
      return `school:${scope.schoolId}`;
    case 'teacher':
      return `class:${scope.classId}`;
  }
}

/**
 * What a scope sees, as SQL queries take it: its district, narrowed to one school, narrowed to
 * one class. Queries of one message leave the district out (the message fixes it).
 */
export interface ScopeFilter {
  districtId: number;
  schoolId?: number;
  classId?: number;
}

/** A scope filter within one message: the message already fixes the district. */
export type MessagePart = Omit<ScopeFilter, 'districtId'>;

/** Whether a thing at this place of one message lies in the part. */
export function inPart(part: MessagePart, place: Omit<Place, 'districtId'>): boolean {
  return (
    (part.schoolId === undefined || place.schoolId === part.schoolId) &&
    (part.classId === undefined || place.classId === part.classId)
  );
}

export function scopeFilter(scope: StaffScope): ScopeFilter {
  switch (scope.role) {
    case 'board':
      return { districtId: scope.districtId };
    case 'school_admin':
      return { districtId: scope.districtId, schoolId: scope.schoolId };
    case 'teacher':
      return { districtId: scope.districtId, schoolId: scope.schoolId, classId: scope.classId };
  }
}

/**
 * The scope's filter narrowed to one school, as the board narrows a list; null when the scope
 * does not see that school. No school: the scope's whole part.
 */
export function narrowedScopeFilter(
  scope: StaffScope,
  schoolId: number | undefined,
): ScopeFilter | null {
  const filter = scopeFilter(scope);
  if (schoolId === undefined || schoolId === filter.schoolId) return filter;
  return filter.schoolId === undefined ? { ...filter, schoolId } : null;
}

/** The one school a scope belongs to: null for the board, which belongs to the whole district. */
export function scopeSchool(scope: StaffScope): number | null {
  return scope.role === 'board' ? null : scope.schoolId;
}

/** Whether the scope sees its whole district: the board's lists of every school. */
export function seesWholeDistrict(scope: StaffScope): boolean {
  return scope.role === 'board';
}

/** Every scope that sees a thing at these classes of a district: the board, each school, each class. */
export function scopesSeeing(
  districtId: number,
  places: readonly { schoolId: number; classId: number }[],
): StaffScope[] {
  return [
    { role: 'board', districtId },
    ...places.flatMap(({ schoolId, classId }): StaffScope[] => [
      { role: 'school_admin', districtId, schoolId },
      { role: 'teacher', districtId, schoolId, classId },
    ]),
  ];
}

/** Whether the scope is the school's own administrator: not a teacher, not the board. */
export function administersSchool(scope: StaffScope, schoolId: number): boolean {
  return scope.role === 'school_admin' && scope.schoolId === schoolId;
}
