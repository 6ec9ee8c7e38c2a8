import { mayEditTemplate, removeTemplate, templatesFor } from '@renraku/core/templates';
import { LANGUAGE_NAMES } from '@renraku/shared';
import { requireStaff } from '$lib/server/auth/guards';
import { refused } from '$lib/server/refusal';
import { idFrom } from '$lib/server/staff-admin/http';
import { languagesOf } from '$lib/server/templates';
import type { Actions, PageServerLoad } from './$types';

// 定型文: the district's catalogue and the school's own. Everyone in scope reads them; the
// board changes the district's, a school admin their school's (the service decides).

export const load: PageServerLoad = async ({ locals, url }) => {
  const staff = requireStaff(locals);
  const templates = await templatesFor(locals.ctx, staff);
  return {
    role: staff.scope.role,
    saved: url.searchParams.get('saved') === '1',
    templates: templates.map((template) => ({
      id: template.id,
      name: template.name,
      category: template.category,
      schoolName: template.schoolName,
      slots: Object.keys(template.slots),
      languages: languagesOf(template).map((language) => LANGUAGE_NAMES[language]),
      editable: mayEditTemplate(staff, template),
    })),
  };
};

export const actions: Actions = {
  delete: async ({ request, locals }) => {
    const staff = requireStaff(locals);
    const id = idFrom((await request.formData()).get('templateId'));
    try {
      await removeTemplate(locals.ctx, staff, id ?? 0);
    } catch (caught) {
      return refused(caught, locals.locale);
    }
    return { deleted: true };
  },
};
