import { fail, redirect } from '@sveltejs/kit';
import { changePassword } from '$lib/server/parents';
import { errorKey, field, requireParent } from '$lib/server/parents/pages';
import type { Actions, PageServerLoad } from './$types';

export const load: PageServerLoad = ({ locals }) => {
  requireParent(locals);
};

export const actions: Actions = {
  change: async ({ locals, request }) => {
    const registrationId = requireParent(locals);
    const form = await request.formData();
    const result = await changePassword(locals.ctx, registrationId, {
      current: field(form, 'currentPassword', 256),
      password: field(form, 'password', 256),
    });
    if (!result.ok) return fail(400, { field: result.field, error: errorKey(result.code) });
    redirect(303, '/account?done=password');
  },
};
