import { performance } from 'node:perf_hooks';
import { runBareLoop, type BareResult } from './lib/bare';
import { measureCallListScale } from './lib/call-list-scale';
import { measureConfirmationBurst } from './lib/confirm';
import { openDashboards, quantile } from './lib/dashboards';
import { measureClosureDrill } from './lib/drill';
import { runFaultDrills } from './lib/faults';
import { sampleMail } from './lib/mail-sample';
import { createCity, type BenchCity } from './lib/population';
import { measureOverview } from './lib/overview';
import { buildApps, sampleMemory, startSmtpSink, startWebProcess } from './lib/processes';
import { measureBehindPostfix } from './lib/behind-postfix';
import { measureLatency } from './lib/latency';
import { benchOptions } from './lib/options';
import { measurePages } from './lib/pages';
import { measurePushSend } from './lib/push-send';
import { measureScaleOut } from './lib/scale-out';
import { sinkLimitPerSecond } from './lib/sink-limit';
import { spread } from './lib/spread';
import { describeMachine, HERE, log, Report, round } from './lib/report';
import { runSend, type SendRun } from './lib/send';
import { cleanUpOnInterrupt, startServices, type BenchServices } from './lib/services';

// `pnpm bench`: throughput against a bare nodemailer loop and against smtp-source's limit,
// one dispatcher against two, an emergency's latency (alone and behind a newsletter), pushes
// beside mails in one send, the dispatcher's memory and rate as the city grows, fan-out time,
// dashboard latency with 50 dashboards, the board's overview, the families' confirmation burst,
// the 6 a.m. closure drill (send, taps, deadline re-send, call list), the call list on a
// database of 1,000,000 registrations, and the fault drills. `pnpm bench --help` lists the
// options.

const options = benchOptions('pnpm bench', process.argv.slice(2), {
  quick: {
    kind: 'flag',
    help: 'every section at reduced size (throughput 30,000 × 3 rounds, the rest 10,000, no fault drills)',
  },
  scale: { kind: 'flag', help: 'also 300,000 and 1,000,000 recipients (adds ~20 minutes)' },
  'no-faults': {
    kind: 'flag',
    help: 'skip the fault drills (`pnpm bench:faults` runs them alone)',
  },
  recipients: { kind: 'number', fallback: 30_000, help: 'the throughput city' },
  rounds: { kind: 'number', help: 'rounds of each compared rate (default 5; 3 with --quick)' },
});
const quick = options.quick;
const withScale = options.scale || process.env.BENCH_SCALE === '1';
const withFaults = !options['no-faults'] && !quick;
const RECIPIENTS = options.recipients;
/** The other sections' city with --quick. */
const QUICK_RECIPIENTS = 10_000;
/** The 教育情報 an emergency must overtake (latency.emergencyOvertakeMs). */
const NEWSLETTER_RECIPIENTS = quick ? QUICK_RECIPIENTS : 300_000;
const LATENCY_SAMPLES = 10;
const SCALE_STEPS = [300_000, 1_000_000];
/** The registrations the database holds while the call list is read (callList). */
const CALL_LIST_REGISTRATIONS = quick ? 100_000 : 1_000_000;
const DASHBOARDS = 50;
const ROUNDS = options.rounds || (quick ? 3 : 5);
/** The dispatcher's default DISPATCH_CONCURRENCY: the bare loop gets as many connections. */
const CONNECTIONS = 10;
buildApps();

type Sink = Awaited<ReturnType<typeof startSmtpSink>>;

async function timedCity(services: BenchServices, recipients: number, report: Report) {
  const started = performance.now();
  const city = await createCity(services.db, services.keys, recipients);
  const ms = performance.now() - started;
  log(`city of ${recipients} recipients generated in ${Math.round(ms)} ms`);
  report.add(
    'setup',
    `generate ${recipients.toLocaleString('en')} registrations`,
    `${(ms / 1000).toFixed(1)} s`,
    `${HERE}, not measured`,
  );
  return city;
}

const median = (values: number[]) =>
  [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

/**
 * 1. The pipeline against a bare nodemailer loop, same sink, mails and connections, in
 * alternating rounds (the median of each side counts: a single run varies by ±15 % here).
 */
async function throughput(services: BenchServices, city: BenchCity, sink: Sink, report: Report) {
  const rounds: {
    pipeline: SendRun;
    pipelineAtSink: number;
    bare: BareResult;
    bareAtSink: number;
  }[] = [];
  let pipelineBytes = 0;
  for (let n = 1; n <= ROUNDS; n++) {
    log(`round ${n}/${ROUNDS}: pipeline send (dispatcher process, default settings) …`);
    const before = sink.accepted();
    const pipeline = await runSend(services, city, sink.url);
    const pipelineAtSink = sink.accepted() - before;
    log(
      `pipeline: ${pipeline.perSecond}/s, accepted ${pipeline.counts.accepted}, sink ${pipelineAtSink}`,
    );
    const sample = await sampleMail(services.db, pipeline.messageId);
    pipelineBytes = sample.pipelineBytes;
    log(`round ${n}/${ROUNDS}: bare nodemailer loop …`);
    const beforeBare = sink.accepted();
    const bare = await runBareLoop({
      smtpUrl: sink.url,
      count: city.recipients,
      connections: CONNECTIONS,
      mail: sample.bare,
    });
    const bareAtSink = sink.accepted() - beforeBare;
    log(
      `bare loop: ${Math.round((bare.sent / bare.ms) * 1000)}/s, sent ${bare.sent}, sink ${bareAtSink}`,
    );
    rounds.push({ pipeline, pipelineAtSink, bare, bareAtSink });
  }
  const pipelinePerSecond = median(rounds.map((r) => r.pipeline.perSecond));
  const barePerSecond = median(rounds.map((r) => Math.round((r.bare.sent / r.bare.ms) * 1000)));
  const pipeline = rounds.find((r) => r.pipeline.perSecond === pipelinePerSecond)!.pipeline;
  const bare = rounds[0]!.bare;
  log('pipeline send again under the CPU profiler …');
  const profiled = await runSend(services, city, sink.url, { profile: true });
  const ratio = round(pipelinePerSecond / barePerSecond);
  const perRound = rounds
    .map((r) => round(r.pipeline.perSecond / Math.round((r.bare.sent / r.bare.ms) * 1000)))
    .join(', ');
  const atSink = (pick: (r: (typeof rounds)[number]) => number) => rounds.map(pick).join('+');

  report.add(
    'throughput',
    'recipients',
    city.recipients,
    `${CONNECTIONS} SMTP connections each, Postfix smtp-sink on 127.0.0.1`,
  );
  report.add(
    'throughput',
    `pipeline mails/s, median of ${ROUNDS}`,
    pipelinePerSecond,
    `${HERE}; fan-out → claim → SMTP → stored → done on the bus`,
  );
  report.add(
    'throughput',
    `bare nodemailer loop mails/s, median of ${ROUNDS}`,
    barePerSecond,
    `${HERE}; stores nothing`,
  );
  report.add(
    'throughput',
    'ratio pipeline / bare loop',
    ratio,
    `target ≥ 1.5, aim 2.0; per round ${perRound}`,
  );
  report.add(
    'throughput',
    'accepted at sink (pipeline / bare)',
    `${atSink((r) => r.pipelineAtSink)} / ${atSink((r) => r.bareAtSink)}`,
    `stored accepted: ${rounds.map((r) => r.pipeline.counts.accepted ?? 0).join('+')}`,
  );
  report.add(
    'throughput',
    'mail size bytes (pipeline / bare)',
    `${pipelineBytes} / ${bare.mailBytes}`,
  );
  report.add(
    'throughput',
    'dispatcher RSS MiB at start / peak',
    `${pipeline.dispatcher.startRssMiB} / ${pipeline.dispatcher.peakRssMiB}`,
    `bare loop process peak: ${bare.peakRssMiB} MiB`,
  );
  report.add(
    'throughput',
    'profiled run mails/s',
    profiled.perSecond,
    `${HERE}; node --cpu-prof on`,
  );
  log("smtp-source → the same smtp-sink: the machine's limit …");
  const sinkLimit = await sinkLimitPerSecond(sink.url, city.recipients, CONNECTIONS, pipelineBytes);
  const ofSinkLimit = round(pipelinePerSecond / sinkLimit);
  report.add(
    'throughput',
    'smtp-source → smtp-sink mails/s',
    sinkLimit,
    `${HERE}; ${CONNECTIONS} sessions, mails of the pipeline's size`,
  );
  report.add(
    'throughput',
    'pipeline / smtp-source (ofSinkLimit)',
    ofSinkLimit,
    'physical limit 1.0',
  );
  const profile = profiled.profile;
  if (profile) {
    report.add(
      'profile',
      'dispatcher busy / wall',
      `${round(profile.busyMs / profile.wallMs, 2)}`,
      `${profile.busyMs} of ${profile.wallMs} ms on CPU`,
    );
    for (const module of profile.callers.slice(0, 8)) {
      report.add(
        'profile',
        module.module,
        `${module.share} %`,
        'share of busy, node internals charged to their caller',
      );
    }
    for (const fn of profile.functions.slice(0, 8)) {
      report.add('profile', `${fn.fn}`, `${fn.share} %`, fn.module);
    }
  }
  report.set('throughput', {
    recipients: city.recipients,
    connections: CONNECTIONS,
    mailBytes: { pipeline: pipelineBytes, bare: bare.mailBytes },
    pipelinePerSecond,
    barePerSecond,
    ratio,
    pipeline: spread(rounds.map((r) => r.pipeline.perSecond)),
    bare: spread(rounds.map((r) => Math.round((r.bare.sent / r.bare.ms) * 1000))),
    sinkLimitPerSecond: sinkLimit,
    ofSinkLimit,
    rounds,
    profiled: { perSecond: profiled.perSecond, sendMs: profiled.sendMs, profile },
  });
  return { pipeline, mailBytes: pipelineBytes };
}

/** 4. 50 dashboards watching a 30,000 send through the web process. */
async function dashboards(services: BenchServices, city: BenchCity, sink: Sink, report: Report) {
  log(`web process and ${DASHBOARDS} dashboards …`);
  const web = await startWebProcess(services.urls(sink.url));
  const webMemory = sampleMemory(web.pid);
  const boards = await openDashboards(
    services.db,
    services.bus,
    web.base,
    city.boardId,
    DASHBOARDS,
  );
  try {
    const run = await runSend(services, city, sink.url, {
      beforeDispatch: (messageId) => boards.watch(messageId),
    });
    const finalMs = await boards.allShow(city.recipients, 10_000);
    const latencies = await boards.latencies(run.messageId);
    const percentiles = (sorted: Float64Array) => {
      const [p50, p95, p99] = [0.5, 0.95, 0.99].map((q) => Math.round(quantile(sorted, q)));
      return {
        p50,
        p95,
        p99,
        max: Math.round(sorted.at(-1) ?? Number.NaN),
        samples: sorted.length,
      };
    };
    const fromWrite = percentiles(latencies.fromWrite);
    const fromBus = percentiles(latencies.fromBus);
    const web = webMemory.stop();
    log(
      `dashboards: write → client p50 ${fromWrite.p50} p95 ${fromWrite.p95} p99 ${fromWrite.p99} ms`,
    );
    report.add(
      'dashboard',
      `clients watching a ${city.recipients.toLocaleString('en')} send`,
      DASHBOARDS,
      'socket.io-client, board sessions, web as its own process',
    );
    report.add(
      'dashboard',
      'write → client p50 / p95 / p99 ms',
      `${fromWrite.p50} / ${fromWrite.p95} / ${fromWrite.p99}`,
      `${HERE}; max ${fromWrite.max} ms; target p95 < 250`,
    );
    report.add(
      'dashboard',
      'bus event → client p50 / p95 / p99 ms',
      `${fromBus.p50} / ${fromBus.p95} / ${fromBus.p99}`,
      `${HERE}; from the first messageChanged heard after the write`,
    );
    report.add('dashboard', 'latency samples', fromWrite.samples, 'accepted rows × dashboards');
    report.add('dashboard', 'all dashboards final after done, ms', finalMs ?? 'never', HERE);
    report.add(
      'dashboard',
      'send rate with dashboards mails/s',
      run.perSecond,
      `${HERE}; web peak RSS ${web.peakRssMiB} MiB`,
    );
    report.set('dashboards', {
      clients: DASHBOARDS,
      latencyMs: { fromWrite, fromBus },
      finalAfterDoneMs: finalMs,
      send: run,
      webPeakRssMiB: web.peakRssMiB,
    });
  } finally {
    boards.close();
    await web.stop();
  }
}

/** 2 and 3. Bigger cities: fan-out time, send rate and the dispatcher's peak memory. */
async function scale(
  services: BenchServices,
  sink: Sink,
  report: Report,
  first: Awaited<ReturnType<typeof runSend>>,
) {
  const steps = [first];
  for (const recipients of SCALE_STEPS) {
    const city = await timedCity(services, recipients, report);
    log(`scale: sending to ${recipients} …`);
    const step = await runSend(services, city, sink.url);
    log(
      `scale: ${step.perSecond}/s, RSS ${step.dispatcher.startRssMiB} → ${step.dispatcher.peakRssMiB} MiB`,
    );
    steps.push(step);
    report.set('scale', steps);
    report.write();
  }
  for (const step of steps) {
    report.add('scale', `${step.recipients.toLocaleString('en')}: mails/s`, step.perSecond, HERE);
    report.add(
      'scale',
      `${step.recipients.toLocaleString('en')}: dispatcher RSS MiB start / peak`,
      `${step.dispatcher.startRssMiB} / ${step.dispatcher.peakRssMiB}`,
      `VmHWM ${step.dispatcher.hwmMiB} MiB; bar < 200`,
    );
  }
  const growth = round(steps.at(-1)!.dispatcher.peakRssMiB / steps[0]!.dispatcher.peakRssMiB);
  report.add('scale', 'peak RSS largest / 30,000', growth, 'flat memory ≈ 1');
  report.set(
    'scale',
    steps.map(({ recipients, perSecond, sendMs, fanOutMs, dispatcher }) => ({
      recipients,
      perSecond,
      sendMs,
      fanOutMs,
      dispatcher,
    })),
  );
  return steps;
}

async function main(): Promise<void> {
  const started = performance.now();
  const report = new Report();
  const sink = await startSmtpSink();
  const services = await startServices();
  cleanUpOnInterrupt([() => services.close()]);
  try {
    const machine = await describeMachine(services.db);
    log(`machine: ${JSON.stringify(machine)}`);
    report.set('machine', machine);
    report.set('ranAt', new Date().toISOString());
    report.set('options', { quick, scale: withScale, faults: withFaults, rounds: ROUNDS });
    report.add(
      'machine',
      'cpus / memory',
      `${machine.nproc} / ${machine.memoryGiB} GiB`,
      machine.cpu,
    );
    report.add('machine', 'node / postgres', `${machine.node} / ${machine.postgres}`);
    const city = await timedCity(services, RECIPIENTS, report);
    // Written after every section too, so that a section that fails keeps the others' figures.
    const { pipeline: first, mailBytes } = await throughput(services, city, sink, report);
    report.write();
    const sectionCity = quick ? await timedCity(services, QUICK_RECIPIENTS, report) : city;
    await measureScaleOut(services, sectionCity, sink.url, ROUNDS, report, log);
    report.write();
    await measureBehindPostfix(services, sectionCity, mailBytes, ROUNDS, report, log);
    report.write();
    const newsletterCity = await timedCity(services, NEWSLETTER_RECIPIENTS, report);
    await measureLatency(services, sectionCity, newsletterCity, LATENCY_SAMPLES, report, log);
    report.write();
    await measurePushSend(services, sectionCity, sink.url, report, log);
    report.write();
    await dashboards(services, sectionCity, sink, report);
    report.write();
    await measurePages(services, sectionCity, sink.url, report, log);
    report.write();
    log('overview: the board opening 全体の状況 …');
    const overview = await measureOverview(services, sectionCity, report);
    log(`overview: p50 ${overview.p50Ms} ms, p95 ${overview.p95Ms} ms`);
    report.write();
    await measureConfirmationBurst(services, sectionCity, report, log);
    report.write();
    await measureClosureDrill(services, quick ? QUICK_RECIPIENTS : RECIPIENTS, report, log);
    report.write();
    const steps = withScale ? await scale(services, sink, report, first) : [first];
    report.write();
    // After the scale steps, whose cities already make up the registrations it needs.
    await measureCallListScale(services, sectionCity, CALL_LIST_REGISTRATIONS, report, log);
    report.write();
    for (const step of steps) {
      report.add(
        'fan-out',
        `${step.recipients.toLocaleString('en')} deliveries created, ms`,
        step.fanOutMs,
        `${HERE}; createMessage, district target`,
      );
    }
    report.set(
      'fanOut',
      steps.map(({ recipients, fanOutMs }) => ({ recipients, ms: fanOutMs })),
    );
    if (withFaults) report.set('faults', await runFaultDrills(services, report, log));
  } finally {
    await services.close();
    await sink.stop();
  }
  report.set('durationSeconds', Math.round((performance.now() - started) / 1000));
  report.print();
  report.write();
  console.log('written: bench/results.json');
}

await main();
process.exit(0);
