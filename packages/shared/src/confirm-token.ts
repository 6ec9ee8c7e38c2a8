import { sign, verifySignature, type Keys } from './crypto';
import { idOfSignedToken, signedIdToken } from './signed-id';

// The two handles a confirming mail gives its recipient, both naming one delivery and signed
// with the installation's key, neither holding an address: the personal link's token
// (/c/<token>) and the Reply-To address (reply+<id>-<signature>@MAIL_DOMAIN).

/**
 * The token of a delivery's personal link (signedIdToken): at most 24 URL-safe characters, so
 * that a feature phone's mailer keeps the link on one line.
 */
export function confirmToken(keys: Keys, deliveryId: number): string {
  return signedIdToken(keys, 'confirm', deliveryId);
}

/** A delivery's personal link, in its mail and behind its push notification. */
export function confirmUrl(publicUrl: string, keys: Keys, deliveryId: number): string {
  return `${publicUrl}/c/${confirmToken(keys, deliveryId)}`;
}

/** The delivery a link's token names, or null when the token is malformed or not ours. */
export function deliveryOfConfirmToken(keys: Keys, token: string): number | null {
  return idOfSignedToken(keys, 'confirm', token);
}

/** Hex digits of the Reply-To signature: 96 bits; hex survives a relay that folds case. */
const REPLY_SIGNATURE_LENGTH = 24;

/** The Reply-To of a delivery's mail: a reply names the delivery it answers. */
export function replyAddress(keys: Keys, mailDomain: string, deliveryId: number): string {
  const signature = sign(keys, `reply:${deliveryId}`, REPLY_SIGNATURE_LENGTH, 'hex');
  return `reply+${deliveryId}-${signature}@${mailDomain}`;
}

/** The delivery a reply+<tag>@ recipient names, or null when the tag is not ours (any case). */
export function deliveryOfReplyTag(keys: Keys, tag: string): number | null {
  const match = /^([1-9]\d{0,14})-([0-9a-f]+)$/.exec(tag.toLowerCase());
  if (!match?.[1] || !match[2]) return null;
  const deliveryId = Number(match[1]);
  const valid = verifySignature(
    keys,
    `reply:${deliveryId}`,
    match[2],
    REPLY_SIGNATURE_LENGTH,
    'hex',
  );
  return valid ? deliveryId : null;
}
