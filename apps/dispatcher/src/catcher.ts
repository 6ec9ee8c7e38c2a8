import type { AddressInfo } from 'node:net';
import { simpleParser } from 'mailparser';
import { SMTPServer } from 'smtp-server';
import type { Outbox, OutboxMail } from '@renraku/shared/outbox';

// The embedded mode's stand-in for an SMTP relay: it accepts every mail on 127.0.0.1 and
// keeps the latest ones in memory for the demo's /dev/outbox page. Never used with a relay.

/** A mail larger than any the dispatcher sends is refused (552), not kept. */
const MAX_MAIL_BYTES = 1024 * 1024;

/** Where the catcher listens and how much of the demo's mail it remembers. */
export interface CatcherOptions {
  /** 0 picks a free port. */
  port: number;
  /** How many mails to keep; older ones are forgotten. */
  keep?: number;
}

/** The running catcher: its port for SMTP_URL, its outbox for the web's /dev/outbox. */
export interface Catcher {
  port: number;
  outbox: Outbox;
  close(): Promise<void>;
}

/** Starts the catcher; pass `smtp://127.0.0.1:${port}` to the dispatcher as SMTP_URL. */
export async function startCatcher({ port, keep = 500 }: CatcherOptions): Promise<Catcher> {
  const mails: OutboxMail[] = [];
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
            mails.push({
              id: nextId++,
              receivedAt: new Date().toISOString(),
              envelopeFrom: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
              envelopeTo: session.envelope.rcptTo.map((rcpt) => rcpt.address),
              subject: parsed.subject ?? '',
              text: parsed.text ?? '',
              raw,
            });
            if (mails.length > keep) mails.splice(0, mails.length - keep);
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
      list: () => [...mails].reverse(),
      get: (id) => mails.find((mail) => mail.id === id),
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
