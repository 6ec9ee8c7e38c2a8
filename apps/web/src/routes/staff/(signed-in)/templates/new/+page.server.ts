import { redirect } from '@sveltejs/kit';
import { saveTemplate } from '@renraku/core/templates';
import { BODY_MAX, SUBJECT_MAX, TEMPLATE_LANGUAGES } from '@renraku/shared';
import { requireStaff } from '$lib/server/auth/guards';
import { refused } from '$lib/server/refusal';
import { templateFormValuesFrom, templateInputOf } from '$lib/server/templates';
import type { Actions, PageServerLoad } from './$types';

// A new template in the staff member's place (the board: the district's; an admin: the school's).

export const load: PageServerLoad = ({ locals }) => {
  requireStaff(locals);
  return {
    limits: { subject: SUBJECT_MAX, body: BODY_MAX },
    values: {
      name: '',
      category: 'emergency_contact',
      slots: '',
      variants: Object.fromEntries(
        TEMPLATE_LANGUAGES.map((language) => [language, { subject: '', body: '' }]),
      ),
    },
  };
};

export const actions: Actions = {
  save: async ({ request, locals }) => {
    const staff = requireStaff(locals);
    const values = templateFormValuesFrom(await request.formData());
    try {
      await saveTemplate(locals.ctx, staff, templateInputOf(values));
    } catch (caught) {
      return refused(caught, locals.locale, { values });
    }
    redirect(303, '/staff/templates?saved=1');
  },
};
