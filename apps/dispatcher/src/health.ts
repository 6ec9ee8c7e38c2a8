import { createServer } from 'node:http';
import nodemailer from 'nodemailer';
import type { DbHandle } from '@renraku/db';
import type { Bus } from '@renraku/shared/bus';
import { probeState, type DependencyState } from '@renraku/shared/health';
import { listenOn, type SmallServer } from '@renraku/shared/listen';
import type { Logger } from '@renraku/shared/logger';
import { relayConnectionOptions } from '@renraku/shared/smtp';

// The dispatcher's GET /healthz on a small HTTP port of its own (DISPATCHER_HEALTH_PORT): it
// serves no other HTTP, and a process manager or load balancer needs to know whether it can
// send — its database, its bus and its relay.

/** Each probe's budget: a hung relay or database answers 'down' in bounded time. */
const PROBE_TIMEOUT_MS = 2000;

export interface DispatcherHealth {
  /** degraded: every dependency is up but the queue is stuck (see HealthSources.queue). */
  status: 'ok' | 'degraded' | 'unavailable';
  dependencies: {
    database: { state: DependencyState; driver: DbHandle['driver'] };
    bus: { state: DependencyState; kind: Bus['kind'] };
    relay: { state: DependencyState };
  };
  /** The oldest due delivery's wait, null when none is due (or the database is down). */
  queue: { oldestDueSeconds: number | null; limitSeconds: number };
}

export interface HealthSources {
  database: Pick<DbHandle, 'ping' | 'driver'>;
  bus: Pick<Bus, 'isUp' | 'kind'>;
  smtpUrl: string;
  mailDomain: string;
  logger: Logger;
  /** The oldest due delivery's wait (queueFigures), and the longest it may wait. */
  queue: { oldestDueSeconds(): Promise<number | null>; limitSeconds: number };
}

/**
 * Probes each dependency: the database with a round trip, the relay with a connection and
 * EHLO (no mail), the bus by its connection state. Concurrent requests share one probe, so a
 * busy health checker cannot multiply connections to the relay.
 */
export function healthChecker(sources: HealthSources): () => Promise<DispatcherHealth> {
  const relay = nodemailer.createTransport({
    ...relayConnectionOptions(sources.smtpUrl, sources.mailDomain),
    connectionTimeout: PROBE_TIMEOUT_MS,
    greetingTimeout: PROBE_TIMEOUT_MS,
  });
  const warn = (what: string) => (error: unknown) =>
    sources.logger.warn({ err: error }, `health check: ${what} is down`);
  let running: Promise<DispatcherHealth> | undefined;
  const check = async (): Promise<DispatcherHealth> => {
    let oldestDueSeconds: number | null = null;
    const [database, relayState] = await Promise.all([
      probeState(
        async () => {
          await sources.database.ping();
          oldestDueSeconds = await sources.queue.oldestDueSeconds();
        },
        PROBE_TIMEOUT_MS,
        warn('database'),
      ),
      probeState(() => relay.verify(), PROBE_TIMEOUT_MS, warn('relay')),
    ]);
    const bus: DependencyState = sources.bus.isUp() ? 'up' : 'down';
    const allUp = database === 'up' && bus === 'up' && relayState === 'up';
    const { limitSeconds } = sources.queue;
    const stuck = oldestDueSeconds !== null && oldestDueSeconds > limitSeconds;
    if (allUp && stuck) {
      sources.logger.warn({ oldestDueSeconds, limitSeconds }, 'health check: the queue is stuck');
    }
    return {
      status: !allUp ? 'unavailable' : stuck ? 'degraded' : 'ok',
      queue: { oldestDueSeconds, limitSeconds },
      dependencies: {
        database: { state: database, driver: sources.database.driver },
        bus: { state: bus, kind: sources.bus.kind },
        relay: { state: relayState },
      },
    };
  };
  return () => {
    running ??= check().finally(() => {
      running = undefined;
    });
    return running;
  };
}

/** Serves GET /healthz: 200 when every dependency is up, else 503; the body says which. */
export async function startHealthServer(
  where: { host: string; port: number },
  check: () => Promise<DispatcherHealth>,
): Promise<SmallServer> {
  const server = createServer((req, res) => {
    const path = (req.url ?? '').split('?')[0];
    if (path !== '/healthz') {
      res.writeHead(404, { 'content-type': 'application/json' }).end('{"error":"not_found"}');
      return;
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { allow: 'GET, HEAD', 'content-type': 'application/json' });
      res.end('{"error":"method_not_allowed"}');
      return;
    }
    check().then(
      (report) => {
        res.writeHead(report.status === 'ok' ? 200 : 503, {
          'content-type': 'application/json',
          'cache-control': 'no-store',
        });
        res.end(JSON.stringify(report));
      },
      () => res.writeHead(500).end(),
    );
  });
  return listenOn(server, where);
}
