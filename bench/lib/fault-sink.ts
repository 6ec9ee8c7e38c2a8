import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';

// The relay of the fault drills: it counts every accepted mail by Message-ID (so a mail sent
// twice is seen as such), defers a share of attempts with 451 and rejects chosen recipients
// with 550 at RCPT, as real relays do.

export interface FaultSinkOptions {
  /** Share of RCPT attempts answered 451 (0..1). */
  deferShare?: number;
  /** Recipients answered 550 on every attempt. */
  rejects?: (address: string) => boolean;
  /** Hears each accepted mail's Message-ID as it is accepted (the latency section's clock). */
  onAccepted?: (messageId: string) => void;
}

export interface FaultSink {
  url: string;
  /** Accepted mails per Message-ID. */
  byMessageId: Map<string, number>;
  accepted(): number;
  counts: { rcpt: number; deferred: number; rejected: number };
  close(): Promise<void>;
}

const MESSAGE_ID = /^Message-ID:\s*(\S+)/im;

export async function startFaultSink(options: FaultSinkOptions = {}): Promise<FaultSink> {
  const byMessageId = new Map<string, number>();
  const counts = { rcpt: 0, deferred: 0, rejected: 0 };
  let accepted = 0;
  const refuse = (code: number, text: string) =>
    Object.assign(new Error(text), { responseCode: code });
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['AUTH', 'STARTTLS'],
    logger: false,
    maxClients: 1000,
    onRcptTo(address, _session, callback) {
      counts.rcpt++;
      if (options.rejects?.(address.address)) {
        counts.rejected++;
        return callback(refuse(550, '5.1.1 recipient address rejected'));
      }
      if (Math.random() < (options.deferShare ?? 0)) {
        counts.deferred++;
        return callback(refuse(451, '4.7.1 greylisted, try again later'));
      }
      callback();
    },
    onData(stream, _session, callback) {
      let head = '';
      stream.on('data', (chunk: Buffer) => {
        if (head.length < 2048) head += chunk.toString('utf8');
      });
      stream.on('end', () => {
        const messageId = MESSAGE_ID.exec(head)?.[1] ?? '(none)';
        byMessageId.set(messageId, (byMessageId.get(messageId) ?? 0) + 1);
        accepted++;
        options.onAccepted?.(messageId);
        callback();
      });
    },
  });
  server.on('error', () => {});
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.server.address() as AddressInfo;
  return {
    url: `smtp://127.0.0.1:${port}`,
    byMessageId,
    accepted: () => accepted,
    counts,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
