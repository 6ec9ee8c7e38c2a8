import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { progressCounts } from '@renraku/db';
import type { StateCounts } from '@renraku/shared';
import type { BenchCity } from './population';
import { sendToCity } from './population';
import { sampleMemory, startDispatcherProcess, type Child, type MemoryFigures } from './processes';
import { monotonicMicros, summariseProfile, type ProfileSummary } from './profile';
import type { BenchServices } from './services';

// One measured send: a district-wide message to a bench city, sent by a dispatcher process
// until the dispatcher announces on the bus that the message is done.

export interface SendOptions {
  /** Dispatcher variables over its defaults (DISPATCH_*). */
  settings?: Record<string, string>;
  /** Profile the dispatcher with node --cpu-prof and summarise the send's window. */
  profile?: boolean;
  /**
   * Runs after the fan-out and before the dispatcher starts (dashboards watching, say); the
   * send is then timed from the dispatcher's start instead of from createMessage.
   */
  beforeDispatch?: (messageId: number) => Promise<void>;
}

export interface SendRun {
  messageId: number;
  recipients: number;
  /** createMessage with its fan-out, this machine's ms. */
  fanOutMs: number;
  /** From createMessage (or the dispatcher's start) to `messageFinished` on the bus. */
  sendMs: number;
  perSecond: number;
  counts: StateCounts;
  /** How the end was seen: the bus event, or the database when the event never came. */
  finishedVia: 'bus' | 'database';
  dispatcher: MemoryFigures;
  profile?: ProfileSummary;
}

/** Resolves when the message is done: on the bus event, or found done in PostgreSQL. */
async function finished(
  services: BenchServices,
  messageId: Promise<number>,
): Promise<'bus' | 'database'> {
  let heard = false;
  let seen: () => void = () => {};
  const unsubscribe = await services.bus.subscribe('messageFinished', (event) => {
    void messageId.then((id) => {
      if (event.messageId === id) {
        heard = true;
        seen();
      }
    });
  });
  try {
    const id = await messageId;
    for (;;) {
      if (heard) return 'bus';
      // The bus is best effort: look at the database now and then in case the event was lost.
      const wait = new Promise<void>((resolve) => {
        seen = resolve;
        setTimeout(resolve, 2000);
      });
      await wait;
      if (heard) return 'bus';
      if ((await progressCounts(services.db, id))?.messageState === 'done') return 'database';
    }
  } finally {
    await unsubscribe();
  }
}

export async function runSend(
  services: BenchServices,
  city: BenchCity,
  smtpUrl: string,
  options: SendOptions = {},
): Promise<SendRun> {
  const profileDir = options.profile ? mkdtempSync(join(tmpdir(), 'renraku-prof-')) : undefined;
  let dispatcher: Child | undefined;
  const startDispatcher = async () => {
    dispatcher = await startDispatcherProcess(services.urls(smtpUrl), options.settings, profileDir);
    return { dispatcher, memory: sampleMemory(dispatcher.pid) };
  };
  try {
    let running = options.beforeDispatch ? undefined : await startDispatcher();
    let resolveId: (id: number) => void = () => {};
    const done = finished(services, new Promise<number>((resolve) => (resolveId = resolve)));
    let startedAt = performance.now();
    let startedUs = monotonicMicros();
    const { messageId, fanOutMs } = await sendToCity(services.db, city);
    resolveId(messageId);
    if (options.beforeDispatch) {
      await options.beforeDispatch(messageId);
      running = await startDispatcher();
      startedAt = performance.now();
      startedUs = monotonicMicros();
    } else {
      // As the web does after a send: wake the dispatchers at once instead of at their poll.
      await services.bus.publish('messageQueued', { messageId });
    }
    const finishedVia = await done;
    const endedAt = performance.now();
    const endedUs = monotonicMicros();
    const memory = running!.memory.stop();
    await running!.dispatcher.stop('SIGTERM');
    const progress = await progressCounts(services.db, messageId);
    const sendMs = endedAt - startedAt;
    return {
      messageId,
      recipients: city.recipients,
      fanOutMs: Math.round(fanOutMs),
      sendMs: Math.round(sendMs),
      perSecond: Math.round((city.recipients / sendMs) * 1000),
      counts: progress?.counts ?? {},
      finishedVia,
      dispatcher: memory,
      ...(profileDir
        ? {
            profile: summariseProfile(profileDir, { fromUs: startedUs, toUs: endedUs }),
          }
        : {}),
    };
  } finally {
    await dispatcher?.stop('SIGKILL');
    if (profileDir) rmSync(profileDir, { recursive: true, force: true });
  }
}
