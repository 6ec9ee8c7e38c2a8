import { getAuthCodes, registrationSheets } from '$lib/server/roster';
import { requireSchoolAdmin, requireStaff } from '$lib/server/auth/guards';
import { actorOf, sheetTargetFrom } from '$lib/server/staff-admin';
import { loaded } from '$lib/server/refusal';
import type { PageServerLoad } from './$types';

// 登録手順書 as a print page (A4 print CSS, one sheet per page); the PDF is ../sheets.pdf.

export const load: PageServerLoad = async ({ locals, url }) => {
  const staff = requireStaff(locals);
  const schoolId = requireSchoolAdmin(staff.scope, locals.locale).schoolId;
  const actor = actorOf(staff);
  const { db, env } = locals.ctx;
  const [sheets, codes] = await Promise.all([
    loaded(
      registrationSheets(db, actor, {
        schoolId,
        target: sheetTargetFrom(url.searchParams),
        publicUrl: env.publicUrl,
      }),
      locals.locale,
    ),
    loaded(getAuthCodes(db, actor, { schoolId }), locals.locale),
  ]);
  return {
    sheets,
    classes: codes.classes.map(({ classId, grade, name }) => ({ classId, grade, name })),
    query: url.search,
  };
};
