import { registrationStatistics } from '$lib/server/roster';
import { requireStaff } from '$lib/server/auth/guards';
import { idFrom } from '$lib/server/staff-admin';
import { loaded } from '$lib/server/refusal';
import type { PageServerLoad } from './$types';

// 登録状況: registration rate per school, grade and class within the viewer's scope (the board
// every school or one with ?school=ID, a school admin their school, a teacher their class).

export const load: PageServerLoad = async ({ locals, url }) => {
  const staff = requireStaff(locals);
  const schoolId = idFrom(url.searchParams.get('school'));
  const schools = await loaded(
    registrationStatistics(locals.ctx.db, staff.scope, schoolId === undefined ? {} : { schoolId }),
    locals.locale,
  );
  return { schools, filtered: schoolId !== undefined && staff.scope.role === 'board' };
};
