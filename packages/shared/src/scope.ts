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
