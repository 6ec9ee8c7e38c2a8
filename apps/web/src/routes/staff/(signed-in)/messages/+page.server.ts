import { requireStaff } from '$lib/server/auth/guards';
import { recentMessages } from '@renraku/core/live';
import type { PageServerLoad } from './$types';

export const load: PageServerLoad = async ({ locals }) => {
  const staff = requireStaff(locals);
  return recentMessages(locals.ctx, staff.scope);
};
