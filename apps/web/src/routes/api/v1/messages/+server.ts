import { json } from '@sveltejs/kit';
import { requireApiStaff } from '$lib/server/auth/guards';
import { readSendRequest, sendMessage } from '$lib/server/messages';
import type { RequestHandler } from './$types';

/**
 * Sends a message as the token's owner, within the owner's scope: 201 `{ id }`, or 200 with
 * the same id when the idempotency key was seen before (a retry never sends twice).
 */
export const POST: RequestHandler = async ({ request, locals }) => {
  const staff = requireApiStaff(locals);
  const read = await readSendRequest(request);
  if (!read.ok) {
    const { error, message, issues } = read;
    return json({ error, message, ...(issues ? { issues } : {}) }, { status: read.status });
  }
  const result = await sendMessage(locals.ctx, staff, read.message, {
    idempotencyKey: read.idempotencyKey,
    channel: 'api',
  });
  if (!result.ok) {
    return json(
      {
        error: result.code,
        message: result.issues[0]?.message ?? result.code,
        issues: result.issues,
      },
      { status: result.status },
    );
  }
  return json({ id: result.id }, { status: result.created ? 201 : 200 });
};
