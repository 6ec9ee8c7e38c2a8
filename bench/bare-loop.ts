import nodemailer from 'nodemailer';
import MailComposer from 'nodemailer/lib/mail-composer';
import pLimit from 'p-limit';
import { addressOf } from './lib/addresses';

// The baseline of the throughput figure, run as its own process like the dispatcher: a bare
// nodemailer loop that sends the same mails (same recipients, sender, subject, text and
// extra headers) over the same number of pooled connections and stores nothing. Each mail is
// composed by nodemailer per recipient, as a plain sendMail loop does.
// Input: BARE_LOOP (JSON of BareLoopInput). Output: one JSON line (BareLoopResult).

export interface BareLoopInput {
  smtpUrl: string;
  count: number;
  connections: number;
  mail: {
    from: { name: string; address: string };
    subject: string;
    text: string;
    headers: Record<string, string>;
  };
}

export interface BareLoopResult {
  ms: number;
  sent: number;
  failed: number;
  /** Size of one composed mail, to compare with the dispatcher's. */
  mailBytes: number;
}

async function main(input: BareLoopInput): Promise<BareLoopResult> {
  const message = (to: string) => ({ ...input.mail, to });
  const sample = await new MailComposer(message(addressOf(0))).compile().build();
  const started = performance.now();
  const transport = nodemailer.createTransport({
    url: input.smtpUrl,
    pool: true,
    maxConnections: input.connections,
    maxMessages: Infinity,
  });
  const limit = pLimit(input.connections);
  let sent = 0;
  let failed = 0;
  await Promise.all(
    Array.from({ length: input.count }, (_, n) =>
      limit(() =>
        transport.sendMail(message(addressOf(n))).then(
          () => sent++,
          () => failed++,
        ),
      ),
    ),
  );
  const ms = performance.now() - started;
  transport.close();
  return { ms, sent, failed, mailBytes: sample.length };
}

const input = JSON.parse(process.env.BARE_LOOP ?? 'null') as BareLoopInput | null;
if (!input) throw new Error('BARE_LOOP (JSON input) is required');
console.log(JSON.stringify(await main(input)));
