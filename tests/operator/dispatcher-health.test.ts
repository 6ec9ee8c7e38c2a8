import { createTestDatabase, type TestDatabase } from '@renraku/db/testing';
import { DISPATCHER_BUNDLE, DISPATCHER_NODE_FLAGS } from '@renraku/dispatcher/launch';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startSink, type Sink } from '../dispatch/smtp-sink';
import { startCommand, type RunningCommand } from './processes';

// The dispatcher's own /healthz, on a small port of its own: its database, bus and relay.

const TEST_REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';

let database: TestDatabase;
let relay: Sink | undefined;
let dispatcher: RunningCommand | undefined;

beforeAll(async () => {
  database = await createTestDatabase();
});
afterAll(async () => {
  if (dispatcher && dispatcher.child.exitCode === null) dispatcher.child.kill('SIGKILL');
  await relay?.close();
  await database?.drop();
});

interface Health {
  status: string;
  dependencies: Record<string, { state: string }>;
}

async function health(port: number): Promise<{ status: number; body: Health; type: string }> {
  const response = await fetch(`http://127.0.0.1:${port}/healthz`);
  return {
    status: response.status,
    type: response.headers.get('content-type') ?? '',
    body: (await response.json()) as Health,
  };
}

it('answers 200 with every dependency up, and 503 naming the relay once it is down', async () => {
  relay = await startSink();
  dispatcher = startCommand(process.execPath, [...DISPATCHER_NODE_FLAGS, DISPATCHER_BUNDLE], {
    DATABASE_URL: database.url,
    REDIS_URL: TEST_REDIS_URL,
    SMTP_URL: relay.url,
    SECRET_KEY: 'dispatcher-health-secret-0123456789abcdef',
    INBOUND_SMTP_HOST: '127.0.0.1',
    INBOUND_SMTP_PORT: '0',
    DISPATCHER_HEALTH_PORT: '0',
    LOG_LEVEL: 'info',
  });
  await dispatcher.waitFor(/"msg":"health endpoint listening"/, 60_000);
  const port = Number(
    /"port":(\d+),[^\n]*"msg":"health endpoint listening"/.exec(dispatcher.output())![1],
  );
  // The bus connects in the background: wait for it rather than race it.
  await dispatcher.waitFor(/"msg":"dispatcher started"/, 60_000);

  let up = await health(port);
  for (let tries = 0; up.status !== 200 && tries < 20; tries++) {
    await new Promise((resolve) => setTimeout(resolve, 250));
    up = await health(port);
  }
  expect(up.status).toBe(200);
  expect(up.type).toMatch(/^application\/json/);
  expect(up.body).toEqual({
    status: 'ok',
    dependencies: {
      database: { state: 'up', driver: 'postgres' },
      bus: { state: 'up', kind: 'redis' },
      relay: { state: 'up' },
    },
    // Nothing is due: the queue is not stuck (HEALTH_MAX_QUEUE_AGE_SECONDS, 15 minutes).
    queue: { oldestDueSeconds: null, limitSeconds: 900 },
  });

  await relay.close();
  relay = undefined;
  const down = await health(port);
  expect(down.status).toBe(503);
  expect(down.body.status).toBe('unavailable');
  expect(down.body.dependencies.relay).toEqual({ state: 'down' });
  expect(down.body.dependencies.database).toMatchObject({ state: 'up' });
  // Neither the relay's address nor anything else of the configuration is in the answer.
  expect(JSON.stringify(down.body)).not.toMatch(/127\.0\.0\.1|smtp:/);

  expect((await fetch(`http://127.0.0.1:${port}/other`)).status).toBe(404);
  expect((await fetch(`http://127.0.0.1:${port}/healthz`, { method: 'POST' })).status).toBe(405);

  dispatcher.child.kill('SIGTERM');
  expect(await dispatcher.exited).toEqual({ code: 0, signal: null });
}, 120_000);
