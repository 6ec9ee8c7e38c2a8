import { timingSafeEqual } from 'node:crypto';
import { createServer } from 'node:http';
import { collectDefaultMetrics, Registry } from 'prom-client';
import { z } from 'zod';
import { ConfigError, port } from './env';
import { listenOn, type SmallServer } from './listen';

// Prometheus metrics (prom-client): each process keeps one registry and serves it in the
// Prometheus text format on a port of its own, never on the public site. The port is off
// unless METRICS_PORT is set (decision: several web processes share a host, and each needs its
// own port); it listens on 127.0.0.1 unless METRICS_HOST says otherwise, and any other address
// needs METRICS_TOKEN, sent by the scraper as `Authorization: Bearer <token>`.

const emptyToUndefined = (value: unknown) => (value === '' ? undefined : value);

/** The variables, as every app's env.ts reads them. */
export const metricsEnv = {
  METRICS_PORT: z.preprocess(emptyToUndefined, port(0).optional()),
  METRICS_HOST: z.preprocess(emptyToUndefined, z.string().default('127.0.0.1')),
  METRICS_TOKEN: z.preprocess(
    emptyToUndefined,
    z.string().min(24, 'must be at least 24 characters (e.g. `openssl rand -hex 16`)').optional(),
  ),
};

/** Where the metrics are served, and the token a scraper must send (null: none asked). */
export interface MetricsSettings {
  host: string;
  port: number;
  token: string | null;
}

const LOOPBACK = new Set(['127.0.0.1', '::1', 'localhost']);

/** The settings, or null when METRICS_PORT is unset; a non-loopback host without a token is refused. */
export function metricsSettingsOf(env: {
  METRICS_PORT?: number | undefined;
  METRICS_HOST: string;
  METRICS_TOKEN?: string | undefined;
}): MetricsSettings | null {
  if (env.METRICS_PORT === undefined) return null;
  if (!LOOPBACK.has(env.METRICS_HOST) && !env.METRICS_TOKEN) {
    throw new ConfigError([
      `METRICS_TOKEN: required when METRICS_HOST is ${env.METRICS_HOST} (not 127.0.0.1): the metrics name schools and carriers`,
    ]);
  }
  return { host: env.METRICS_HOST, port: env.METRICS_PORT, token: env.METRICS_TOKEN ?? null };
}

/** A registry with Node's own process metrics (memory, event loop lag, GC) under renraku_. */
export function createMetricsRegistry(): Registry {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'renraku_' });
  return registry;
}

function authorized(header: string | undefined, token: string | null): boolean {
  if (token === null) return true;
  const given = Buffer.from(header ?? '');
  const expected = Buffer.from(`Bearer ${token}`);
  return given.length === expected.length && timingSafeEqual(given, expected);
}

/** Serves GET /metrics from `registry`; 401 without the token when one is set. */
export async function startMetricsServer(
  settings: MetricsSettings,
  registry: Registry,
): Promise<SmallServer> {
  const server = createServer((req, res) => {
    if ((req.url ?? '').split('?')[0] !== '/metrics') return void res.writeHead(404).end();
    if (req.method !== 'GET') return void res.writeHead(405, { allow: 'GET' }).end();
    if (!authorized(req.headers.authorization, settings.token)) {
      return void res.writeHead(401, { 'www-authenticate': 'Bearer' }).end();
    }
    registry.metrics().then(
      (text) => res.writeHead(200, { 'content-type': registry.contentType }).end(text),
      () => res.writeHead(500).end(),
    );
  });
  return listenOn(server, settings);
}
