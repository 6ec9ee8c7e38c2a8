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
  /** Dispatcher processes sending side by side (scale-out); 1 by default. */
  dispatchers?: number;
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
  /** The first dispatcher's memory; `dispatchers` has every one's. */
  dispatcher: MemoryFigures;
  dispatchers: MemoryFigures[];
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
  const children: Child[] = [];
  const startDispatcher = async () => {
    const started = await Promise.all(
      Array.from({ length: options.dispatchers ?? 1 }, async () => {
        const child = await startDispatcherProcess(
          services.urls(smtpUrl),
          options.settings,
          profileDir,
        );
        children.push(child);
        return { child, memory: sampleMemory(child.pid) };
      }),
    );
    return {
      memories: started.map((one) => one.memory),
      stop: () => Promise.all(started.map((one) => one.child.stop('SIGTERM'))),
    };
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
    const memories = running!.memories.map((memory) => memory.stop());
    await running!.stop();
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
      dispatcher: memories[0]!,
      dispatchers: memories,
      ...(profileDir
        ? {
            profile: summariseProfile(profileDir, { fromUs: startedUs, toUs: endedUs }),
          }
        : {}),
    };
  } finally {
    await Promise.all(children.map((child) => child.stop('SIGKILL')));
    if (profileDir) rmSync(profileDir, { recursive: true, force: true });
  }
}
