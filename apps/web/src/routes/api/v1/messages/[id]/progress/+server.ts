import { json } from '@sveltejs/kit';
import { requireApiStaff } from '$lib/server/auth/guards';
import { messageProgress } from '$lib/server/messages';
import { idFrom } from '$lib/server/staff-admin';
import type { RequestHandler } from './$types';

/** Counts by delivery state; a message outside the owner's scope is 404, as if it did not exist. */
export const GET: RequestHandler = async ({ locals, params }) => {
  const staff = requireApiStaff(locals);
  const messageId = idFrom(params.id);
  const progress =
    messageId === undefined ? null : await messageProgress(locals.ctx, staff, messageId);
  if (!progress) return json({ error: 'not_found', message: 'No such message.' }, { status: 404 });
  return json(progress, { headers: { 'cache-control': 'no-store' } });
};
