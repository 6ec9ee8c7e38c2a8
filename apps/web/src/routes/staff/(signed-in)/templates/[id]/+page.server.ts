import { error, redirect } from '@sveltejs/kit';
import { mayEditTemplate, saveTemplate, visibleTemplate } from '@renraku/core/templates';
import { BODY_MAX, SUBJECT_MAX } from '@renraku/shared';
import { t } from '$lib/i18n';
import { requireStaff } from '$lib/server/auth/guards';
import { refused } from '$lib/server/refusal';
import { idFrom } from '$lib/server/staff-admin/http';
import {
  templateFormValuesFrom,
  templateFormValuesOf,
  templateInputOf,
} from '$lib/server/templates';
import type { Actions, PageServerLoad } from './$types';

// Editing a template the staff member may change; sent messages keep the text they had.

export const load: PageServerLoad = async ({ locals, params }) => {
  const staff = requireStaff(locals);
  const template = await visibleTemplate(locals.ctx.db, staff.scope, idFrom(params.id) ?? 0);
  if (!template) error(404, t(locals.locale, 'templates.error.notFound'));
  if (!mayEditTemplate(staff, template)) error(403, t(locals.locale, 'templates.error.forbidden'));
  return {
    limits: { subject: SUBJECT_MAX, body: BODY_MAX },
    name: template.name,
    values: templateFormValuesOf(template),
  };
};

export const actions: Actions = {
  save: async ({ request, locals, params }) => {
    const staff = requireStaff(locals);
    const values = templateFormValuesFrom(await request.formData());
    try {
      await saveTemplate(locals.ctx, staff, templateInputOf(values), idFrom(params.id) ?? 0);
    } catch (caught) {
      return refused(caught, locals.locale, { values });
    }
    redirect(303, '/staff/templates?saved=1');
  },
};
