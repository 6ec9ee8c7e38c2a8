import { fail, redirect } from '@sveltejs/kit';
import { loadAccount, siblingSchools, startSiblingRegistration } from '$lib/server/parents';
import { field, requireParent } from '$lib/server/parents/pages';
import type { Actions, PageServerLoad } from './$types';

export const load: PageServerLoad = async ({ locals }) => {
  const loaded = await loadAccount(locals.ctx, requireParent(locals));
  if (!loaded) redirect(303, '/account/login');
  return {
    schools: await siblingSchools(locals.ctx, loaded.account.districtId),
    currentSchoolId: loaded.account.schoolId,
  };
};

export const actions: Actions = {
  start: async ({ locals, request }) => {
    const form = await request.formData();
    const schoolId = Number(field(form, 'schoolId', 20));
    const token = Number.isSafeInteger(schoolId)
      ? await startSiblingRegistration(locals.ctx, requireParent(locals), schoolId)
      : undefined;
    if (!token) return fail(400, { invalid: true });
    redirect(303, `/r/${token}/new`);
  },
};
