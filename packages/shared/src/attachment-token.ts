import type { Keys } from './crypto';
import { idOfSignedToken, signedIdToken } from './signed-id';

// The link a mail gives for each attachment (/a/<token>): one per attachment, the same for
// every recipient, so the dispatcher still renders one body per message. It names the
// attachment and nothing else (no delivery, no address); it stops working when retention
// deletes the message and, with it, the attachment.

const PURPOSE = 'attachment';

export function attachmentToken(keys: Keys, attachmentId: number): string {
  return signedIdToken(keys, PURPOSE, attachmentId);
}

export function attachmentUrl(publicUrl: string, keys: Keys, attachmentId: number): string {
  return `${publicUrl}/a/${attachmentToken(keys, attachmentId)}`;
}

/** The attachment a token names, or null for a forged, altered or foreign token. */
export function attachmentOfToken(keys: Keys, token: string): number | null {
  return idOfSignedToken(keys, PURPOSE, token);
}
