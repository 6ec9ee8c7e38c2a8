import { error } from '@sveltejs/kit';
import { requireStaff } from '$lib/server/auth/guards';
import { boardOverview } from '@renraku/core/live';
import type { PageServerLoad } from './$types';

/** The whole city at a glance: only the board's staff look after every school. */
export const load: PageServerLoad = async ({ locals }) => {
  const { scope } = requireStaff(locals);
  if (scope.role !== 'board') error(403, 'forbidden');
  return boardOverview(locals.ctx, scope);
};
