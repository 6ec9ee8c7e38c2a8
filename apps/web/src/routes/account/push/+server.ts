import { json } from '@sveltejs/kit';
import { ServiceError } from '@renraku/shared';
import { subscribePush } from '@renraku/core/push';
import { requireParent } from '$lib/server/parents/pages';
import { refusedJson } from '$lib/server/refusal';
import type { RequestHandler } from './$types';

/** A subscription is a few hundred bytes; a larger body is not one, refused before it is parsed. */
const MAX_BODY_BYTES = 8 * 1024;

async function readJson(request: Request): Promise<unknown> {
  const refuse = () =>
    new ServiceError('invalid', 'push.subscribe.invalid', {}, { code: 'invalid_subscription' });
  // A declared size says so before anything is read; adapter-node bounds an undeclared one.
  if (Number(request.headers.get('content-length') ?? 0) > MAX_BODY_BYTES) throw refuse();
  const body = await request.arrayBuffer();
  if (body.byteLength > MAX_BODY_BYTES) throw refuse();
  try {
    return JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(body));
  } catch {
    throw refuse();
  }
}

/**
 * The account page's 「この端末に通知する」 posts the browser's PushSubscription here (same origin,
 * the parent's session; hooks.server.ts checks the Origin). 201 for a new device, 200 when the
 * same device subscribed again; 400 with the reasons and nothing stored otherwise.
 */
export const POST: RequestHandler = async ({ locals, request }) => {
  const registrationId = requireParent(locals);
  try {
    const body = await readJson(request);
    const stored = await subscribePush(
      locals.ctx,
      registrationId,
      body,
      request.headers.get('user-agent') ?? '',
    );
    return json(stored, { status: stored.outcome === 'added' ? 201 : 200 });
  } catch (caught) {
    return refusedJson(caught, locals.locale);
  }
};
