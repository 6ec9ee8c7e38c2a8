import { fail } from '@sveltejs/kit';
import { t } from '$lib/i18n';
import { ServiceError } from '@renraku/shared';
import { previewRollover, rolloverSchool } from '$lib/server/roster';
import { requireSchoolAdmin, requireStaff } from '$lib/server/auth/guards';
import {
  actorOf,
  holdUpload,
  textFrom,
  uploadedFile,
  type HoldOwner,
} from '$lib/server/staff-admin';
import { refused, refusalText } from '$lib/server/refusal';
import type { Actions, PageServerLoad } from './$types';

// 年度更新: the dry run is shown as soon as the page opens (keeping class names); an optional
// class-assignment file previews again; running it needs the new school year typed in, so a
// stray click cannot graduate a school.

function adminOf(locals: App.Locals) {
  const staff = requireStaff(locals);
  const scope = requireSchoolAdmin(staff.scope, locals.locale);
  const owner: HoldOwner = { staffUserId: staff.id, schoolId: scope.schoolId, purpose: 'rollover' };
  return { actor: actorOf(staff), schoolId: scope.schoolId, owner };
}

export const load: PageServerLoad = async ({ locals }) => {
  const { actor, schoolId } = adminOf(locals);
  try {
    return { preview: await previewRollover(locals.ctx.db, actor, { schoolId }), blocked: null };
  } catch (caught) {
    // Already rolled over this year, or no classes yet: say why instead of an error page.
    if (caught instanceof ServiceError && caught.kind !== 'forbidden') {
      return { preview: null, blocked: refusalText(caught, locals.locale) };
    }
    throw caught;
  }
};

export const actions: Actions = {
  preview: async ({ request, locals }) => {
    const { actor, schoolId, owner } = adminOf(locals);
    const { db, keys } = locals.ctx;
    const form = await request.formData();
    try {
      const file = await uploadedFile(form, keys, owner, { field: 'assignment', required: false });
      const preview = await previewRollover(db, actor, { schoolId, classAssignment: file });
      return { preview, held: file && holdUpload(keys, owner, file) };
    } catch (caught) {
      return refused(caught, locals.locale);
    }
  },
  rollover: async ({ request, locals }) => {
    const { actor, schoolId, owner } = adminOf(locals);
    const { db, keys } = locals.ctx;
    const form = await request.formData();
    try {
      const classAssignment = await uploadedFile(form, keys, owner, { required: false });
      const preview = await previewRollover(db, actor, { schoolId, classAssignment });
      if (textFrom(form.get('confirmYear')).normalize('NFKC').trim() !== String(preview.toYear)) {
        return fail(400, {
          error: t(locals.locale, 'admin.rollover.wrongYear', { year: preview.toYear }),
          preview,
          held: classAssignment && holdUpload(keys, owner, classAssignment),
        });
      }
      return { rolledOver: await rolloverSchool(db, actor, { schoolId, classAssignment }) };
    } catch (caught) {
      return refused(caught, locals.locale);
    }
  },
};
