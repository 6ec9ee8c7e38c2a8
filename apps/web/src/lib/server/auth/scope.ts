import type { StaffRole, StaffScope } from '@renraku/shared';

/** The columns of a staff user that decide what they may see and send to. */
export interface ScopedUser {
  id: number;
  role: StaffRole;
  districtId: number;
  schoolId: number | null;
  classId: number | null;
}

/**
 * The scope every staff query, action, API call and socket room is limited by. Derived from
 * the stored account only; an account whose role lacks its school or class is refused.
 */
export function staffScope(user: ScopedUser): StaffScope {
  switch (user.role) {
    case 'board':
      return { role: 'board', districtId: user.districtId };
    case 'school_admin':
      if (user.schoolId === null) throw new Error(`school admin ${user.id} has no school`);
      return { role: 'school_admin', districtId: user.districtId, schoolId: user.schoolId };
    case 'teacher':
      if (user.schoolId === null || user.classId === null) {
        throw new Error(`teacher ${user.id} has no school or class`);
      }
      return {
        role: 'teacher',
        districtId: user.districtId,
        schoolId: user.schoolId,
        classId: user.classId,
      };
  }
}
