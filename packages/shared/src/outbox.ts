// The embedded mode's mail catcher: what the dispatcher "sent", readable at /dev/outbox.
// Only in the embedded mode, where every mailbox is a demo mailbox.

export interface OutboxMail {
  id: number;
  receivedAt: string;
  envelopeFrom: string;
  envelopeTo: string[];
  subject: string;
  text: string;
  /** The raw message as received, for checking headers and encodings. */
  raw: string;
}

/** Read side of the catcher, handed to the web app in the embedded mode only. */
export interface Outbox {
  list(): OutboxMail[];
  get(id: number): OutboxMail | undefined;
}
