import { sql } from 'drizzle-orm';
import { queueFigures } from '@renraku/db';
import { createTestDatabase, type TestDatabase } from '@renraku/db/testing';
import { createDispatcherMetrics, startDispatcher } from '@renraku/dispatcher';
import { createInProcessBus } from '@renraku/shared/bus';
import { createLogger } from '@renraku/shared/logger';
import { createMetricsRegistry, startMetricsServer } from '@renraku/shared/metrics';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { healthChecker, startHealthServer } from '../../apps/dispatcher/src/health';
import { startWeb } from '../../apps/web/server/index';
import {
  addFamilies,
  createDistrictWithClass,
  dispatcherEnv,
  keys,
  messageDone,
  sendMessage,
  silentLogger,
  waitFor,
} from '../dispatch/fixtures';
import { startSink, type Sink } from '../dispatch/smtp-sink';
import { testWebContext } from '../support/web';

// The Prometheus metrics of a real send and of the web's requests, the token on the metrics
// port, and /healthz turning degraded when the oldest due delivery waits too long.

let database: TestDatabase;
let sink: Sink;

beforeAll(async () => {
  database = await createTestDatabase();
  sink = await startSink();
});
afterAll(async () => {
  await sink?.close();
  await database?.drop();
});

/** The value of one series in Prometheus text, or undefined when it is absent. */
function series(text: string, name: string, labels = ''): number | undefined {
  const line = text.split('\n').find((l) => l.startsWith(`${name}${labels ? `{${labels}}` : ''} `));
  return line === undefined ? undefined : Number(line.split(' ').pop());
}

describe('the dispatcher’s metrics', () => {
  it('count a send by channel, state and carrier, its replies, claims and writes', async () => {
    const db = database.handle.db;
    const { district, board, klass } = await createDistrictWithClass(db, 'みなと小学校');
    await addFamilies(db, [
      [{ klass, name: '青木 一郎', addresses: ['aoki@docomo.ne.jp'] }],
      [{ klass, name: '井上 二郎', addresses: ['inoue@example.jp'] }],
      [{ klass, name: '上田 三郎', addresses: ['r550-ueda@example.jp'] }],
    ]);
    const registry = createMetricsRegistry();
    const metrics = createDispatcherMetrics(registry, db);
    const dispatcher = await startDispatcher({
      env: dispatcherEnv(sink.url),
      db,
      bus: createInProcessBus(),
      keys,
      logger: silentLogger,
      metrics,
    });
    try {
      const { id } = await sendMessage(db, {
        districtId: district.id,
        authorId: board.id,
        target: { kind: 'district' },
      });
      await waitFor(() => messageDone(db, id));
    } finally {
      await dispatcher.stop();
    }
    const text = await registry.metrics();
    const delivered = (state: string, carrier: string) =>
      series(
        text,
        'renraku_deliveries_total',
        `channel="mail",state="${state}",carrier="${carrier}"`,
      );
    // docomo is a carrier the dispatcher knows by name; any other domain is `other`.
    expect(delivered('accepted', 'docomo.ne.jp')).toBe(1);
    expect(delivered('accepted', 'other')).toBe(1);
    expect(delivered('failed', 'other')).toBe(1);
    expect(series(text, 'renraku_replies_total', 'channel="mail",class="2xx"')).toBe(2);
    expect(series(text, 'renraku_replies_total', 'channel="mail",class="5xx"')).toBe(1);
    expect(series(text, 'renraku_claim_duration_seconds_count')).toBeGreaterThan(0);
    expect(series(text, 'renraku_flush_duration_seconds_count')).toBeGreaterThan(0);
    // Read from PostgreSQL when scraped: nothing waits once the message is done.
    expect(series(text, 'renraku_oldest_due_delivery_seconds')).toBe(0);
    expect(text).not.toContain('renraku_deliveries_pending{');
    expect(text).toContain('renraku_process_resident_memory_bytes');
    // Neither an address nor a domain that is not a carrier's appears.
    expect(text).not.toMatch(/@|example\.jp/);
  });

  it('serve GET /metrics only with the token, when one is set', async () => {
    const registry = createMetricsRegistry();
    const token = 'metrics-token-0123456789abcdef';
    const server = await startMetricsServer({ host: '127.0.0.1', port: 0, token }, registry);
    const url = `http://127.0.0.1:${server.port}`;
    try {
      expect((await fetch(`${url}/metrics`)).status).toBe(401);
      const wrong = await fetch(`${url}/metrics`, {
        headers: { authorization: `Bearer ${token.slice(1)}x` },
      });
      expect(wrong.status).toBe(401);
      const right = await fetch(`${url}/metrics`, {
        headers: { authorization: `Bearer ${token}` },
      });
      expect(right.status).toBe(200);
      expect(right.headers.get('content-type')).toContain('text/plain');
      expect(await right.text()).toContain('renraku_nodejs_eventloop_lag_seconds');
      expect((await fetch(`${url}/other`)).status).toBe(404);
      expect((await fetch(`${url}/metrics`, { method: 'POST' })).status).toBe(405);
    } finally {
      await server.close();
    }
  });
});

describe('the web’s metrics', () => {
  it('time requests by route, never by path, and count taps and socket clients', async () => {
    const registry = createMetricsRegistry();
    const web = await startWeb({ ...testWebContext(database), registry });
    const base = `http://127.0.0.1:${web.port}`;
    try {
      expect((await fetch(`${base}/staff/login`)).status).toBe(200);
      const tapped = await fetch(`${base}/c/zzzzzzzzzzzzzzzzzzzzzz`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded', origin: base },
        body: 'choice=0',
      });
      expect(tapped.status).toBe(404);
      const text = await registry.metrics();
      expect(
        series(
          text,
          'renraku_http_request_duration_seconds_count',
          'route="/staff/login",method="GET",status="2xx"',
        ),
      ).toBe(1);
      expect(
        series(
          text,
          'renraku_http_request_duration_seconds_count',
          'route="/c/[token]",method="POST",status="4xx"',
        ),
      ).toBe(1);
      expect(series(text, 'renraku_confirmation_taps_total', 'outcome="refused"')).toBe(1);
      expect(series(text, 'renraku_socket_clients')).toBe(0);
      expect(text).not.toContain('zzzzzzzz');
    } finally {
      await web.close();
    }
  });
});

describe('/healthz and a stuck queue', () => {
  it('turns degraded (503) once the oldest due delivery waited longer than the limit', async () => {
    const db = database.handle.db;
    const { district, board, klass } = await createDistrictWithClass(db, 'みなと第二小学校');
    await addFamilies(db, [[{ klass, name: '遠藤 四郎', addresses: ['endo@example.jp'] }]]);
    const { id } = await sendMessage(db, {
      districtId: district.id,
      authorId: board.id,
      target: { kind: 'district' },
    });
    // No dispatcher is running: the fan-out's deliveries wait, here for ten minutes.
    await db.execute(
      sql`update deliveries set next_attempt_at = now() - interval '10 minutes' where message_id = ${id}`,
    );
    const figures = await queueFigures(db);
    expect(figures.oldestDueSeconds).toBeGreaterThanOrEqual(600);
    expect(figures.pending.find((row) => row.state === 'queued')?.n).toBeGreaterThan(0);

    const checkWith = (limitSeconds: number) =>
      healthChecker({
        database: database.handle,
        bus: createInProcessBus(),
        smtpUrl: sink.url,
        mailDomain: 'renraku.test',
        logger: createLogger('health-test', 'silent'),
        queue: {
          oldestDueSeconds: async () => (await queueFigures(db)).oldestDueSeconds,
          limitSeconds,
        },
      });
    const server = await startHealthServer({ host: '127.0.0.1', port: 0 }, checkWith(300));
    try {
      const response = await fetch(`http://127.0.0.1:${server.port}/healthz`);
      expect(response.status).toBe(503);
      const body = (await response.json()) as { status: string; queue: { limitSeconds: number } };
      expect(body.status).toBe('degraded');
      expect(body.queue.limitSeconds).toBe(300);
    } finally {
      await server.close();
    }
    expect((await checkWith(3600)()).status).toBe('ok');
  });
});
