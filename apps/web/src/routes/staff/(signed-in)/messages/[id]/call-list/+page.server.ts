import { requireStaff } from '$lib/server/auth/guards';
import { callListOr404 } from '$lib/server/call-list/respond';
import type { PageServerLoad } from './$types';

export const load: PageServerLoad = async ({ locals, params, url }) => ({
  callList: await callListOr404(locals.ctx, requireStaff(locals), params.id, {
    audit: 'view',
    school: url.searchParams.get('school'),
  }),
});
