// The embedded mode's mail catcher: what the dispatcher "sent", readable at /dev/outbox.
// Only in the embedded mode, where every mailbox is a demo mailbox.

/**
 * A district send is thousands of mails; a parent's registration reply, completion mail or
 * password reset is one. Each kind has a store of its own, so the first can never push out
 * the second.
 */
export const OUTBOX_KINDS = ['broadcast', 'transactional'] as const;
export type OutboxKind = (typeof OUTBOX_KINDS)[number];

export interface OutboxMail {
  id: number;
  kind: OutboxKind;
  receivedAt: string;
  envelopeFrom: string;
  envelopeTo: string[];
  subject: string;
  text: string;
  /** The raw message as received, for checking headers and encodings. */
  raw: string;
}

/** What one store keeps: at most `keep` mails, `kept` now, `dropped` (oldest first) so far. */
export interface OutboxRetention {
  kind: OutboxKind;
  keep: number;
  kept: number;
  dropped: number;
}

/** Read side of the catcher, handed to the web app in the embedded mode only. */
export interface Outbox {
  /** Every kept mail, newest first. */
  list(): OutboxMail[];
  get(id: number): OutboxMail | undefined;
  /** One entry per kind, in OUTBOX_KINDS order. */
  retention(): OutboxRetention[];
}
