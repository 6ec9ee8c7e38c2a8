import { redirect } from '@sveltejs/kit';
import { changePassword } from '$lib/server/parents';
import { field, requireParent } from '$lib/server/parents/pages';
import { refused } from '$lib/server/refusal';
import type { Actions, PageServerLoad } from './$types';

export const load: PageServerLoad = ({ locals }) => {
  requireParent(locals);
};

export const actions: Actions = {
  change: async ({ locals, request }) => {
    const registrationId = requireParent(locals);
    const form = await request.formData();
    try {
      await changePassword(locals.ctx, registrationId, {
        current: field(form, 'currentPassword', 256),
        password: field(form, 'password', 256),
      });
    } catch (caught) {
      return refused(caught, locals.locale);
    }
    redirect(303, '/account?done=password');
  },
};
