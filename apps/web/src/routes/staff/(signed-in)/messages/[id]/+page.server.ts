import { error } from '@sveltejs/kit';
import { requireStaff } from '$lib/server/auth/guards';
import { messageForDashboard, messageIdParam } from '$lib/server/live';
import type { PageServerLoad } from './$types';

export const load: PageServerLoad = async ({ locals, params }) => {
  const staff = requireStaff(locals);
  const messageId = messageIdParam(params.id);
  const found = messageId && (await messageForDashboard(locals.ctx, staff.scope, messageId));
  // Another school's message looks exactly like one that does not exist.
  if (!found) error(404, 'not found');
  return found;
};
