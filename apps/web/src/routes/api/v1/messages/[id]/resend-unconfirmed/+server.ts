import { json } from '@sveltejs/kit';
import { resendUnconfirmed } from '@renraku/core/confirmation';
import { requireApiStaff } from '$lib/server/auth/guards';
import { refuseNonEmptyBody } from '$lib/server/messages';
import { refusedJson } from '$lib/server/refusal';
import { idFrom } from '$lib/server/staff-admin';
import type { RequestHandler } from './$types';

/**
 * 「未確認の家庭に再送」: re-sends the message to the unconfirmed households of the token's
 * scope, 200 `{ sent: <mails queued> }`; `{ sent: 0 }` for a repeat within a minute. 404 for a
 * message outside the scope (as if it did not exist), 409 for one that asks no confirmation,
 * 400 for any body but `{}` (or none).
 */
export const POST: RequestHandler = async ({ locals, params, request }) => {
  const staff = requireApiStaff(locals);
  const refusal = await refuseNonEmptyBody(request);
  if (refusal) {
    const { error, message, issues } = refusal;
    return json({ error, message, ...(issues ? { issues } : {}) }, { status: refusal.status });
  }
  const messageId = idFrom(params.id);
  if (messageId === undefined) {
    return json({ error: 'not_found', message: 'No such message.' }, { status: 404 });
  }
  try {
    return json(await resendUnconfirmed(locals.ctx, staff, messageId, 'api'));
  } catch (caught) {
    return refusedJson(caught, locals.locale);
  }
};
