import { findRosterSchool, type Db, type RosterSchool, type Tx } from '@renraku/db';
import { administersSchool, ServiceError, type StaffScope } from '@renraku/shared';

/** Who acts: the staff user (for the audit) and the scope the server derived from the session. */
export interface StaffActor {
  staffUserId: number;
  scope: StaffScope;
}

/**
 * Roster, roll-over, transfers, auth codes and registration sheets belong to the school's own
 * administrators: not to teachers, not to other schools, and not to the board (the auth code is
 * the school's secret; PRODUCT.md §1 gives these tasks to the school admin).
 */
export function assertSchoolAdminScope(scope: StaffScope, schoolId: number): void {
  if (!administersSchool(scope, schoolId)) {
    throw new ServiceError('forbidden', 'refusal.roster.schoolAdminOnly');
  }
}

/** The scope check plus the school itself, which must belong to the admin's district. */
export async function loadAdminSchool(
  db: Db | Tx,
  scope: StaffScope,
  schoolId: number,
): Promise<RosterSchool> {
  assertSchoolAdminScope(scope, schoolId);
  const school = await findRosterSchool(db, schoolId);
  if (!school || school.districtId !== scope.districtId) {
    throw new ServiceError('forbidden', 'refusal.roster.schoolAdminOnly');
  }
  return school;
}
