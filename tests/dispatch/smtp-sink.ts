import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';

// A relay for the tests that answers by the recipient's local part:
//   d421-… d450-… d451-… d452-…   always deferred at RCPT with that code
//   r550-… r552-… r553-… r554-…   always rejected at RCPT with that code
//   flaky-…                       deferred (451) twice, then accepted
//   late451-… / late554-…         accepted at RCPT, answered 451 / 554 after the data
//   anything else                 accepted
// With `enhancedStatusCodes`, smtp-server puts the enhanced status code of the basic one in
// every reply (550 5.1.1, 552 5.2.2, 554 5.6.0, 451 4.3.0), as most real relays do. It records
// every accepted mail, so duplicates can be counted by Message-ID.

export interface SinkMail {
  messageId: string;
  envelopeFrom: string;
  to: string;
  raw: string;
  /** The SMTP connection it came over, to count mails per connection. */
  session: string;
}

export interface Sink {
  url: string;
  mails: SinkMail[];
  /** RCPT commands seen per recipient: one per attempt. */
  attempts: Map<string, number>;
  close(): Promise<void>;
}

/** Real relays quote the recipient in the reply, which the dispatcher must not store. */
const smtpError = (code: number, recipient: string, text: string) =>
  Object.assign(new Error(`<${recipient}>: ${text}`), { responseCode: code });

/** `delayMs` holds each accepted mail that long, so that a test can act mid-send. */
export async function startSink({
  delayMs = 0,
  enhancedStatusCodes = false,
}: { delayMs?: number; enhancedStatusCodes?: boolean } = {}): Promise<Sink> {
  const mails: SinkMail[] = [];
  const attempts = new Map<string, number>();
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['AUTH', 'STARTTLS'],
    logger: false,
    hideENHANCEDSTATUSCODES: !enhancedStatusCodes,
    onRcptTo(address, _session, callback) {
      const rcpt = address.address;
      const seen = (attempts.get(rcpt) ?? 0) + 1;
      attempts.set(rcpt, seen);
      const fixed = /^([dr])(\d{3})-/.exec(rcpt);
      if (fixed) {
        const text = fixed[1] === 'd' ? 'try again later' : 'recipient address rejected';
        return callback(smtpError(Number(fixed[2]), rcpt, text));
      }
      if (rcpt.startsWith('flaky-') && seen <= 2) {
        return callback(smtpError(451, rcpt, 'greylisted, try again later'));
      }
      callback();
    },
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
      stream.on('end', () => {
        const to = session.envelope.rcptTo[0]?.address ?? '';
        const late = /^late(\d{3})-/.exec(to);
        if (late) return callback(smtpError(Number(late[1]), to, 'message refused'));
        const raw = Buffer.concat(chunks).toString('utf8');
        setTimeout(() => {
          mails.push({
            messageId: /^Message-ID:\s*(\S+)/im.exec(raw)?.[1] ?? '',
            envelopeFrom: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
            to,
            raw,
            session: session.id,
          });
          callback();
        }, delayMs);
      });
    },
  });
  server.on('error', () => {});
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.server.address() as AddressInfo;
  return {
    url: `smtp://127.0.0.1:${port}`,
    mails,
    attempts,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
