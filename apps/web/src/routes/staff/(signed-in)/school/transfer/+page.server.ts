import { redirect } from '@sveltejs/kit';
import { previewTransferOut, transferStudentOut } from '$lib/server/roster';
import { requireSchoolAdmin, requireStaff } from '$lib/server/auth/guards';
import { actorOf, idFrom } from '$lib/server/staff-admin';
import { loaded, refused } from '$lib/server/refusal';
import type { Actions, PageServerLoad } from './$types';

// 転出: the admin chooses a student in the roster (?student=ID), sees what is deleted, confirms.

export const load: PageServerLoad = async ({ locals, url }) => {
  const staff = requireStaff(locals);
  const scope = requireSchoolAdmin(staff.scope, locals.locale);
  const studentId = idFrom(url.searchParams.get('student'));
  if (studentId === undefined) return { transfer: null };
  const transfer = await loaded(
    previewTransferOut(locals.ctx.db, actorOf(staff), { schoolId: scope.schoolId, studentId }),
    locals.locale,
  );
  return { transfer };
};

export const actions: Actions = {
  transfer: async ({ request, locals }) => {
    const staff = requireStaff(locals);
    const scope = requireSchoolAdmin(staff.scope, locals.locale);
    const studentId = idFrom((await request.formData()).get('studentId'));
    try {
      await transferStudentOut(locals.ctx.db, actorOf(staff), {
        schoolId: scope.schoolId,
        studentId: studentId ?? 0,
      });
    } catch (caught) {
      return refused(caught, locals.locale);
    }
    redirect(303, '/staff/school?done=transferred');
  },
};
