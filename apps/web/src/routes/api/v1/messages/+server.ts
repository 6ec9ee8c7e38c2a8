import { json } from '@sveltejs/kit';
import { requireApiStaff } from '$lib/server/auth/guards';
import { refusedJson } from '$lib/server/refusal';
import {
  listApiMessages,
  readMessagePageQuery,
  readSendRequest,
  sendMessage,
} from '$lib/server/messages';
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
  let result;
  try {
    result = await sendMessage(locals.ctx, staff, read.message, {
      idempotencyKey: read.idempotencyKey,
      channel: 'api',
      attachmentMaxBytes: locals.ctx.env.attachmentMaxBytes,
    });
  } catch (caught) {
    return refusedJson(caught, locals.locale);
  }
  return json({ id: result.id }, { status: result.created ? 201 : 200 });
};

/** The recent messages in the owner's scope, newest first: `?limit=` (1–100) and `?before=`. */
export const GET: RequestHandler = async ({ locals, url }) => {
  const staff = requireApiStaff(locals);
  const query = readMessagePageQuery(url.searchParams);
  if (!query.ok) {
    const { error, message, issues } = query;
    return json({ error, message, issues }, { status: 400 });
  }
  return json(await listApiMessages(locals.ctx, staff, query), {
    headers: { 'cache-control': 'no-store' },
  });
};
