import { json } from '@sveltejs/kit';
import { requireApiStaff } from '$lib/server/auth/guards';
import { cancelScheduledSend } from '$lib/server/messages';
import { refusedJson } from '$lib/server/refusal';
import { idFrom } from '$lib/server/staff-admin';
import type { RequestHandler } from './$types';

/**
 * Cancels a scheduled message that has not started sending: 200 `{ id, state: 'cancelled' }`;
 * 404 for a message the owner may not see (as if it did not exist), 403 for one it sees but
 * did not send (a board's message to its school), 409 once it has started (a send cannot be
 * recalled) or was cancelled already.
 */
export const POST: RequestHandler = async ({ locals, params }) => {
  const staff = requireApiStaff(locals);
  const messageId = idFrom(params.id);
  if (messageId === undefined) {
    return json({ error: 'not_found', message: 'No such message.' }, { status: 404 });
  }
  try {
    const { id } = await cancelScheduledSend(locals.ctx, staff, messageId, 'api');
    return json({ id, state: 'cancelled' });
  } catch (caught) {
    return refusedJson(caught, locals.locale);
  }
};
