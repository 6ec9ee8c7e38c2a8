import { readdirSync } from 'node:fs';
import { request } from 'node:https';
import { fileURLToPath } from 'node:url';
import { like } from 'drizzle-orm';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createMessage, schema, type Db } from '@renraku/db';
import { createTestDatabase, type TestDatabase } from '@renraku/db/testing';
import { createInProcessBus } from '@renraku/shared/bus';
import { io as connectSocket } from 'socket.io-client';
import {
  addFamilies,
  createClass,
  createSchool,
  messageDone,
  simpleFamilies,
  startTestDispatcher,
  waitFor,
} from '../dispatch/fixtures';
import { startSink, type Sink } from '../dispatch/smtp-sink';
import {
  connected,
  Dashboard,
  databaseFigures,
  districtWithBoard,
  type TestSocket,
} from '../live/harness';
import { freePort } from '../support/ports';
import { startTestWeb, type RunningWeb } from '../support/web';
import { startPrivateNginx, type PrivateNginx } from './nginx';

// The shipped nginx site (deploy/nginx/renraku.conf) on high ports in front of two web
// processes, as the README's install puts it: a live dashboard streams over its WebSocket,
// requests reach both webs, immutable assets are cached, and the per-IP limits count the
// address nginx saw, whatever X-Forwarded-For a client sends.

let database: TestDatabase;
let db: Db;
let sink: Sink;
let nginx: PrivateNginx;
const webs: RunningWeb[] = [];
const sockets: TestSocket[] = [];
const bus = createInProcessBus();

interface Answer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

/** An HTTPS request to nginx from a loopback address of the test's choosing. */
function send(
  path: string,
  options: {
    localAddress: string;
    method?: string;
    headers?: Record<string, string>;
    body?: string;
  },
): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = request(
      `${nginx.origin}${path}`,
      {
        method: options.method ?? 'GET',
        headers: options.headers,
        ca: nginx.certificate,
        localAddress: options.localAddress,
        agent: false,
      },
      (res) => {
        let body = '';
        res.setEncoding('utf8').on('data', (chunk: string) => (body += chunk));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
      },
    );
    req.once('error', reject);
    req.end(options.body);
  });
}

beforeAll(async () => {
  database = await createTestDatabase();
  db = database.handle.db;
  sink = await startSink({ delayMs: 5 });
  const [httpPort, httpsPort] = [await freePort(), await freePort()];
  const publicUrl = `https://127.0.0.1:${httpsPort}`;
  for (let i = 0; i < 2; i++) {
    const { web } = await startTestWeb(database, {
      bus,
      env: { PUBLIC_URL: publicUrl, TRUST_PROXY: 'loopback' },
    });
    webs.push(web);
  }
  nginx = await startPrivateNginx({
    httpPort,
    httpsPort,
    webPorts: webs.map((web) => web.port),
  });
});

afterAll(async () => {
  for (const socket of sockets) socket.close();
  await nginx?.stop();
  await Promise.all(webs.map((web) => web.close()));
  await sink?.close();
  await database?.drop();
});

it('streams a live dashboard over the WebSocket through nginx', async () => {
  const { district, staff, cookie } = await districtWithBoard(db);
  const school = await createSchool(db, district.id, 'みなと第一小学校');
  const klass = await createClass(db, school, 1, '1組');
  await addFamilies(
    db,
    simpleFamilies(klass, 30, (i) => `ok-${i}@example.jp`),
  );
  const message = await createMessage(db, {
    districtId: district.id,
    schoolId: null,
    authorId: staff.id,
    category: 'emergency_contact',
    subject: '臨時休校のお知らせ',
    body: '大雪のため、本日は臨時休校とします。',
    target: { kind: 'district' },
    scheduledAt: null,
    idempotencyKey: null,
  });

  const socket: TestSocket = connectSocket(nginx.origin, {
    transports: ['websocket'],
    reconnection: false,
    forceNew: true,
    ca: nginx.certificate,
    extraHeaders: { origin: nginx.origin, cookie },
  });
  sockets.push(socket);
  await connected(socket);
  const dashboard = new Dashboard(socket, message.id);
  expect((await dashboard.start()).ok).toBe(true);

  const dispatcher = await startTestDispatcher(db, sink.url, { bus });
  try {
    await waitFor(() => messageDone(db, message.id));
    const scope = { role: 'board', districtId: district.id } as const;
    await waitFor(async () => {
      const expected = await databaseFigures(db, message.id, scope);
      return JSON.stringify(dashboard.figures) === JSON.stringify(expected);
    });
  } finally {
    await dispatcher.stop();
  }
  expect(dashboard.deltas.length).toBeGreaterThan(0);
  const total = Object.values(dashboard.figures.total).reduce((sum, n) => sum + (n ?? 0), 0);
  expect(total).toBe(30);
  // nginx logs the upgraded (101) request when the socket closes; closed, it no longer
  // counts for least_conn either.
  socket.close();
  await waitFor(async () =>
    (await nginx.accessLog()).some(
      (line) => line.uri.startsWith('/socket.io/') && line.status === 101,
    ),
  );
});

it('sends plain http to https, spreads requests over both webs and caches immutable assets', async () => {
  const plain = await fetch(`${nginx.httpOrigin}/staff/login?next=%2Fstaff`, {
    redirect: 'manual',
  });
  expect(plain.status).toBe(301);
  expect(plain.headers.get('location')).toBe('https://127.0.0.1/staff/login?next=%2Fstaff');

  for (let i = 0; i < 6; i++) {
    expect((await send('/staff/login', { localAddress: '127.0.0.1' })).status).toBe(200);
  }
  const pages = (await nginx.accessLog()).filter((line) => line.uri === '/staff/login');
  expect(new Set(pages.map((line) => line.upstream))).toEqual(
    new Set(webs.map((web) => `127.0.0.1:${web.port}`)),
  );

  const entryDir = fileURLToPath(
    new URL('../../apps/web/build/client/_app/immutable/entry/', import.meta.url),
  );
  const asset = `/_app/immutable/entry/${readdirSync(entryDir).find((name) => name.endsWith('.js'))}`;
  const first = await send(asset, { localAddress: '127.0.0.1' });
  const second = await send(asset, { localAddress: '127.0.0.1' });
  expect([first.status, second.status]).toEqual([200, 200]);
  expect(second.body).toBe(first.body);
  expect(second.headers['x-cache-status']).toBe('HIT');
  expect(second.headers['cache-control']).toContain('immutable');
  expect(second.headers['strict-transport-security']).toBe('max-age=31536000');
});

it('counts a per-IP limit on the address nginx saw, not on a forged X-Forwarded-For', async () => {
  const attempt = (localAddress: string, forged: string) =>
    send('/staff/login?/login', {
      localAddress,
      method: 'POST',
      headers: {
        accept: 'text/html',
        origin: nginx.origin,
        'content-type': 'application/x-www-form-urlencoded',
        'x-forwarded-for': forged,
      },
      body: 'login=kocho&password=not-the-password',
    });
  const statuses: number[] = [];
  // 10 failures per login and address, then 429: a new forged address each time changes nothing.
  for (let i = 1; i <= 11; i++)
    statuses.push((await attempt('127.0.0.2', `203.0.113.${i}`)).status);
  expect(statuses).toEqual([...Array<number>(10).fill(400), 429]);
  // Another client behind the same nginx is not held back by the first one's failures.
  expect((await attempt('127.0.0.3', '127.0.0.2')).status).toBe(400);

  const counted = await db
    .select({ key: schema.rateLimits.key, hits: schema.rateLimits.hits })
    .from(schema.rateLimits)
    .where(like(schema.rateLimits.key, 'staff-login:address:%'));
  expect(counted.sort((a, b) => a.key.localeCompare(b.key))).toEqual([
    { key: 'staff-login:address:127.0.0.2', hits: 11 },
    { key: 'staff-login:address:127.0.0.3', hits: 1 },
  ]);
  const seen = await nginx.accessLog();
  expect(
    seen.filter((line) => line.uri === '/staff/login?/login').map((l) => l.remoteAddr),
  ).toEqual([...Array<string>(11).fill('127.0.0.2'), '127.0.0.3']);
});
