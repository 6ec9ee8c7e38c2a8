import { sign, verifySignature, type Keys } from './crypto';

// A short link token that names one row: its id in base 36 followed by a signature under its
// own purpose, so one purpose's token never opens another's link. It holds nothing else.

/** Base64url characters of the signature: 90 bits, beyond guessing at any rate limit. */
const SIGNATURE_LENGTH = 15;
/** The id in base 36: nine characters reach 10^14, so a token stays ≤ 24 characters. */
const ID = /^[1-9a-z][0-9a-z]{0,8}$/;

/** At most 24 URL-safe characters, so that a feature phone's mailer keeps the link on one line. */
export function signedIdToken(keys: Keys, purpose: string, id: number): string {
  return `${id.toString(36)}${sign(keys, `${purpose}:${id}`, SIGNATURE_LENGTH)}`;
}

/** The id a token names, or null when it is malformed, altered, of another purpose or key. */
export function idOfSignedToken(keys: Keys, purpose: string, token: string): number | null {
  if (token.length <= SIGNATURE_LENGTH || token.length > 24) return null;
  const head = token.slice(0, -SIGNATURE_LENGTH);
  if (!ID.test(head)) return null;
  const id = parseInt(head, 36);
  const signature = token.slice(-SIGNATURE_LENGTH);
  return verifySignature(keys, `${purpose}:${id}`, signature, SIGNATURE_LENGTH) ? id : null;
}
