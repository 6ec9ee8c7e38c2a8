// The mailboxes of MAIL_DOMAIN that the inbound SMTP server answers for, besides each school's
// registration address. They are built (the parent's page shows add-<token>@ as a mailto link)
// and read (the dispatcher's inbound server) here only, so the two cannot drift apart.

const ADD_ADDRESS_PREFIX = 'add-';
const BOUNCE_PREFIX = 'bounce+';
const REPLY_PREFIX = 'reply+';
const NO_REPLY = 'no-reply';

/** What a recipient of MAIL_DOMAIN means to the inbound server. */
export type SystemMailbox =
  /** A logged-in parent proves a further address by an empty mail from it. */
  | { kind: 'add_address'; token: string }
  /** The return path of sent mail; the bounce intake reads what arrives here. */
  | { kind: 'bounce'; tag: string }
  /** The Reply-To of a confirming mail (replyAddress): a parent's reply answers it. */
  | { kind: 'reply'; tag: string }
  /** The sender of automatic replies; what arrives here is accepted and dropped. */
  | { kind: 'no_reply' };

/** The address a parent's page offers (as a mailto link) for adding a mail address. */
export function addAddressMailbox(token: string, mailDomain: string): string {
  return `${ADD_ADDRESS_PREFIX}${token}@${mailDomain.toLowerCase()}`;
}

/** From and return path of automatic replies, so that answers to them have somewhere to go. */
export function noReplyMailbox(mailDomain: string): string {
  return `${NO_REPLY}@${mailDomain.toLowerCase()}`;
}

/** Reads a recipient case-insensitively; undefined when it is not one of ours. */
export function parseSystemMailbox(address: string, mailDomain: string): SystemMailbox | undefined {
  const lower = address.toLowerCase();
  const at = lower.lastIndexOf('@');
  if (at < 0 || lower.slice(at + 1) !== mailDomain.toLowerCase()) return undefined;
  const local = lower.slice(0, at);
  if (local === NO_REPLY) return { kind: 'no_reply' };
  if (local.startsWith(BOUNCE_PREFIX) && local.length > BOUNCE_PREFIX.length) {
    return { kind: 'bounce', tag: local.slice(BOUNCE_PREFIX.length) };
  }
  if (local.startsWith(REPLY_PREFIX) && local.length > REPLY_PREFIX.length) {
    return { kind: 'reply', tag: local.slice(REPLY_PREFIX.length) };
  }
  const token = local.slice(ADD_ADDRESS_PREFIX.length);
  // Mailbox tokens are lower-case hex (randomMailboxToken); anything else cannot match one.
  if (local.startsWith(ADD_ADDRESS_PREFIX) && /^[0-9a-f]{16,64}$/.test(token)) {
    return { kind: 'add_address', token };
  }
  return undefined;
}
