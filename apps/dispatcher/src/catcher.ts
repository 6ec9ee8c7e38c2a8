import type { AddressInfo } from 'node:net';
import { simpleParser } from 'mailparser';
import { SMTPServer } from 'smtp-server';
import {
  OUTBOX_KINDS,
  type Outbox,
  type OutboxKind,
  type OutboxMail,
} from '@renraku/shared/outbox';

// The embedded mode's stand-in for an SMTP relay: it accepts every mail on 127.0.0.1 and
// keeps the latest ones in memory for the demo's /dev/outbox page. Never used with a relay.
// Broadcasts and parents' own mails are kept apart (OUTBOX_KINDS), each newest first.

/** A mail larger than any the dispatcher sends is refused (552), not kept. */
const MAX_MAIL_BYTES = 1024 * 1024;

/**
 * A few KB each: a demo district's send (~1,400 mails) fits the broadcast store, and a full
 * day of registrations the other, in a few MB of memory.
 */
const DEFAULT_KEEP_BROADCAST = 2000;
const DEFAULT_KEEP_TRANSACTIONAL = 1000;

/** Where the catcher listens and how much of the demo's mail it remembers. */
export interface CatcherOptions {
  /** 0 picks a free port. */
  port: number;
  /** How many messages' mails (those with a List-Id) to keep; older ones are forgotten. */
  keepBroadcast?: number;
  /** How many other mails (registration replies, completion, resets) to keep. */
  keepTransactional?: number;
}

/** The dispatcher's broadcasts carry a List-Id (mail.ts); the one-off mails to a parent none. */
function kindOf(headerLines: readonly { key: string }[]): OutboxKind {
  return headerLines.some((line) => line.key === 'list-id') ? 'broadcast' : 'transactional';
}

/** The running catcher: its port for SMTP_URL, its outbox for the web's /dev/outbox. */
export interface Catcher {
  port: number;
  outbox: Outbox;
  close(): Promise<void>;
}

/** Starts the catcher; pass `smtp://127.0.0.1:${port}` to the dispatcher as SMTP_URL. */
export async function startCatcher({
  port,
  keepBroadcast = DEFAULT_KEEP_BROADCAST,
  keepTransactional = DEFAULT_KEEP_TRANSACTIONAL,
}: CatcherOptions): Promise<Catcher> {
  const keep: Record<OutboxKind, number> = {
    broadcast: keepBroadcast,
    transactional: keepTransactional,
  };
  // Oldest first within each kind.
  const stores: Record<OutboxKind, OutboxMail[]> = { broadcast: [], transactional: [] };
  const dropped: Record<OutboxKind, number> = { broadcast: 0, transactional: 0 };
  let nextId = 1;
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['AUTH', 'STARTTLS'],
    size: MAX_MAIL_BYTES,
    logger: false,
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
      stream.on('end', () => {
        if (stream.sizeExceeded) {
          callback(Object.assign(new Error('message too large'), { responseCode: 552 }));
          return;
        }
        const raw = Buffer.concat(chunks).toString('utf8');
        simpleParser(raw).then(
          (parsed) => {
            const kind = kindOf(parsed.headerLines);
            const store = stores[kind];
            store.push({
              id: nextId++,
              kind,
              receivedAt: new Date().toISOString(),
              envelopeFrom: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
              envelopeTo: session.envelope.rcptTo.map((rcpt) => rcpt.address),
              subject: parsed.subject ?? '',
              text: parsed.text ?? '',
              raw,
            });
            if (store.length > keep[kind]) {
              dropped[kind] += store.length - keep[kind];
              store.splice(0, store.length - keep[kind]);
            }
            callback();
          },
          () =>
            callback(
              Object.assign(new Error('message could not be parsed'), { responseCode: 554 }),
            ),
        );
      });
    },
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => {
      server.off('error', reject);
      // A client that hangs up mid-session is its own problem, not the catcher's.
      server.on('error', () => {});
      resolve();
    });
  });
  const address = server.server.address() as AddressInfo;
  return {
    port: address.port,
    outbox: {
      list: () => OUTBOX_KINDS.flatMap((kind) => stores[kind]).sort((a, b) => b.id - a.id),
      get: (id) => OUTBOX_KINDS.flatMap((kind) => stores[kind]).find((mail) => mail.id === id),
      retention: () =>
        OUTBOX_KINDS.map((kind) => ({
          kind,
          keep: keep[kind],
          kept: stores[kind].length,
          dropped: dropped[kind],
        })),
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
