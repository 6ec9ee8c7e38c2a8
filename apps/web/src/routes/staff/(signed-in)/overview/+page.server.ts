import { requireBoard, requireStaff } from '$lib/server/auth/guards';
import { boardOverview } from '@renraku/core/live';
import type { PageServerLoad } from './$types';

/** The whole city at a glance: only the board's staff look after every school. */
export const load: PageServerLoad = async ({ locals }) => {
  return boardOverview(locals.ctx, requireBoard(requireStaff(locals).scope, locals.locale));
};
