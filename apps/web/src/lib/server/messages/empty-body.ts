import { invalidBody, readJsonObject, type BodyRefusal } from './api';

// The body of an API action that takes no input (POST /api/v1/messages/:id/resend-unconfirmed):
// none at all, or the empty JSON object. Anything else is refused, so that a client that
// believes it can pass options learns at once that it cannot.

/** More than any `{}` with whitespace around it needs. */
const MAX_EMPTY_BODY_BYTES = 1024;

/** Null when the body is absent or `{}`; else the refusal to answer with. */
export async function refuseNonEmptyBody(request: Request): Promise<BodyRefusal | null> {
  const declared = request.headers.get('content-length');
  if (!request.body || (declared === '0' && !request.headers.has('content-type'))) return null;
  const read = await readJsonObject(request, MAX_EMPTY_BODY_BYTES);
  if (!read.ok) return read;
  return Object.keys(read.body).length === 0
    ? null
    : invalidBody('', 'This call takes an empty JSON object ({}) or no body.');
}
