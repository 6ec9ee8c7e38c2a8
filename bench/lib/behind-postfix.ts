import { startPrivatePostfix } from '../../tests/relay/postfix';
import type { BenchCity } from './population';
import { freePort, startChild, startSmtpSink } from './processes';
import { HERE, round, type Report } from './report';
import { runSend } from './send';
import type { BenchServices } from './services';
import { spread, type Spread } from './spread';

// Behind a real relay: the dispatcher → a private Postfix → smtp-sink, against Postfix's own
// smtp-source → the same Postfix → the same sink, alternating for the rounds. Each path's rate
// is the sink's, from its first mail to its last, so that neither side's start-up counts. At
// ≥ 0.9 the relay, not Renraku, sets the pace in production.

const SMTP_SOURCE = '/usr/sbin/smtp-source';
/** Postfix's default smtpd process limit is 100; the dispatcher's default concurrency is 10. */
const SESSIONS = 10;

export interface BehindPostfixFigures {
  recipients: number;
  dispatcher: Spread;
  smtpSource: Spread;
  /** Median over median. */
  ratio: number;
}

type Sink = Awaited<ReturnType<typeof startSmtpSink>>;

/** Mails per second the sink received between its `before + 1`-th and `before + count`-th mail. */
async function sinkRate(sink: Sink, before: number, count: number, run: () => Promise<unknown>) {
  let first = 0;
  let last = 0;
  const watching = (async () => {
    while (sink.accepted() < before + count) {
      if (first === 0 && sink.accepted() > before) first = performance.now();
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
    last = performance.now();
  })();
  await run();
  await watching;
  return Math.round(((count - 1) / (last - first)) * 1000);
}

export async function measureBehindPostfix(
  services: BenchServices,
  city: BenchCity,
  mailBytes: number,
  rounds: number,
  report: Report,
  log: (text: string) => void,
): Promise<BehindPostfixFigures> {
  const sink = await startSmtpSink();
  const listen = await freePort();
  const postfix = await startPrivatePostfix({
    listen,
    relayhost: Number(new URL(sink.url).port),
    // Nothing here bounces; a closed port is where such a report would go.
    inbound: await freePort(),
    mailDomain: 'renraku.test',
  });
  try {
    const dispatcher: number[] = [];
    const source: number[] = [];
    for (let n = 1; n <= rounds; n++) {
      log(`behind Postfix round ${n}/${rounds}: dispatcher, then smtp-source …`);
      dispatcher.push(
        await sinkRate(sink, sink.accepted(), city.recipients, () =>
          runSend(services, city, postfix.url),
        ),
      );
      source.push(
        await sinkRate(sink, sink.accepted(), city.recipients, async () => {
          const child = startChild('smtp-source', SMTP_SOURCE, [
            '-s',
            String(SESSIONS),
            '-m',
            String(city.recipients),
            '-l',
            String(mailBytes),
            '-f',
            'bench@renraku.test',
            '-t',
            'parent@example.jp',
            `127.0.0.1:${listen}`,
          ]);
          if ((await child.exited) !== 0) throw new Error(child.lines.slice(-5).join('\n'));
        }),
      );
      log(`behind Postfix: dispatcher ${dispatcher.at(-1)}/s, smtp-source ${source.at(-1)}/s`);
    }
    const figures: BehindPostfixFigures = {
      recipients: city.recipients,
      dispatcher: spread(dispatcher),
      smtpSource: spread(source),
      ratio: round(spread(dispatcher).median / spread(source).median),
    };
    const text = (s: Spread) => `${s.min} / ${s.median} / ${s.max}`;
    report.add(
      'behind postfix',
      'dispatcher → Postfix → sink mails/s',
      text(figures.dispatcher),
      HERE,
    );
    report.add(
      'behind postfix',
      'smtp-source → Postfix → sink mails/s',
      text(figures.smtpSource),
      HERE,
    );
    report.add('behind postfix', 'ratio (medians)', figures.ratio, 'target ≥ 0.9');
    report.set('behindPostfix', figures);
    return figures;
  } finally {
    await postfix.stop();
    await sink.stop();
  }
}
