import { fail } from '@sveltejs/kit';
import { t } from '$lib/i18n';
import { getAuthCodes, rotateClassAuthCode, rotateSchoolAuthCode } from '$lib/server/roster';
import { requireSchoolAdmin, requireStaff } from '$lib/server/auth/guards';
import { actorOf, idFrom, jstText } from '$lib/server/staff-admin';
import { loaded, refused } from '$lib/server/refusal';
import type { Actions, PageServerLoad } from './$types';

// 認証コード: shown only to the school's own admins (the service refuses everyone else, the
// board included). Every change needs a ticked confirmation: printed sheets stop working.

function adminOf(locals: App.Locals) {
  const staff = requireStaff(locals);
  return {
    actor: actorOf(staff),
    schoolId: requireSchoolAdmin(staff.scope, locals.locale).schoolId,
  };
}

export const load: PageServerLoad = async ({ locals }) => {
  const { actor, schoolId } = adminOf(locals);
  const codes = await loaded(getAuthCodes(locals.ctx.db, actor, { schoolId }), locals.locale);
  return {
    school: { code: codes.school.code, rotatedAt: jstText(codes.school.rotatedAt) },
    classes: codes.classes,
  };
};

/** The confirmation box, or the form comes back asking for it. */
function unconfirmed(form: FormData, locals: App.Locals) {
  return form.get('confirm') === 'yes'
    ? undefined
    : fail(400, { error: t(locals.locale, 'admin.codes.confirmRequired') });
}

export const actions: Actions = {
  rotateSchool: async ({ request, locals }) => {
    const { actor, schoolId } = adminOf(locals);
    const form = await request.formData();
    const refusal = unconfirmed(form, locals);
    if (refusal) return refusal;
    try {
      await rotateSchoolAuthCode(locals.ctx.db, actor, { schoolId });
      return { rotated: true };
    } catch (caught) {
      return refused(caught, locals.locale);
    }
  },
  rotateClass: async ({ request, locals }) => {
    const { actor, schoolId } = adminOf(locals);
    const form = await request.formData();
    const refusal = unconfirmed(form, locals);
    if (refusal) return refusal;
    try {
      await rotateClassAuthCode(locals.ctx.db, actor, {
        schoolId,
        classId: idFrom(form.get('classId')) ?? 0,
        clear: form.get('clear') === 'yes',
      });
      return { rotated: true };
    } catch (caught) {
      return refused(caught, locals.locale);
    }
  },
};
