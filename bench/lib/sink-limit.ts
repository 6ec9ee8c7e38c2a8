import { existsSync } from 'node:fs';
import { startChild } from './processes';

// The physical limit of this machine's SMTP path: Postfix's own smtp-source blasting the same
// number of mails of the pipeline's size into the same smtp-sink over as many sessions. The
// pipeline's rate is reported as a fraction of it (throughput.ofSinkLimit).

const SMTP_SOURCE = '/usr/sbin/smtp-source';

/** Mails per second smtp-source moves into `smtpUrl`'s sink. */
export async function sinkLimitPerSecond(
  smtpUrl: string,
  mails: number,
  sessions: number,
  mailBytes: number,
): Promise<number> {
  if (!existsSync(SMTP_SOURCE)) throw new Error(`${SMTP_SOURCE} missing (Debian package postfix)`);
  const { hostname, port } = new URL(smtpUrl);
  const started = performance.now();
  const source = startChild('smtp-source', SMTP_SOURCE, [
    '-s',
    String(sessions),
    '-m',
    String(mails),
    '-l',
    String(mailBytes),
    '-f',
    'bench@renraku.test',
    '-t',
    'parent@example.jp',
    `${hostname}:${port}`,
  ]);
  const code = await source.exited;
  if (code !== 0)
    throw new Error(`smtp-source failed (${code}):\n${source.lines.slice(-5).join('\n')}`);
  return Math.round((mails / (performance.now() - started)) * 1000);
}
