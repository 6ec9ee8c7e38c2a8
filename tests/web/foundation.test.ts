import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { createDb, schema } from '@renraku/db';
import { createTestDatabase, type TestDatabase } from '@renraku/db/testing';
import { createInProcessBus } from '@renraku/shared/bus';
import { hashToken, randomToken } from '@renraku/shared/crypto';
import type { Outbox, OutboxMail } from '@renraku/shared/outbox';
import { io as connectSocket, type Socket } from 'socket.io-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startWeb, type WebStartContext } from '../../apps/web/server/index';
import { createLoginStaff, STAFF_PASSWORD as PASSWORD } from '../support/staff';
import { testWebContext, type RunningWeb } from '../support/web';

// The web foundation end to end, through the built SvelteKit app (`pnpm test` builds it first):
// health, staff login and sessions, guards, API tokens, CSRF and the demo outbox.

const handlerFile = fileURLToPath(new URL('../../apps/web/build/handler.js', import.meta.url));

let database: TestDatabase;
let web: RunningWeb;
let base: string;
let districtId: number;
let boardUserId: number;
const openWebs: RunningWeb[] = [];

const mail: OutboxMail = {
  id: 1,
  receivedAt: '2026-04-06T22:15:00.000Z',
  envelopeFrom: 'noreply@renraku.test',
  kind: 'transactional',
  envelopeTo: ['parent@example.jp'],
  subject: '【登録】ご利用登録のご案内',
  text: '次のURLから登録してください。\nhttp://127.0.0.1/register/abc\n',
  raw: 'Subject: =?UTF-8?B?dGVzdA==?=\r\nAuto-Submitted: auto-replied\r\n\r\nbody',
};
const outbox: Outbox = {
  list: () => [mail],
  get: (id) => (id === mail.id ? mail : undefined),
  retention: () => [
    { kind: 'broadcast', keep: 2000, kept: 0, dropped: 0 },
    { kind: 'transactional', keep: 1000, kept: 1, dropped: 0 },
  ],
};

function contextFor(overrides: Partial<WebStartContext> = {}): WebStartContext {
  return { ...testWebContext(database), ...overrides };
}

async function start(ctx: WebStartContext): Promise<RunningWeb> {
  const running = await startWeb(ctx);
  openWebs.push(running);
  return running;
}

async function createStaff(
  login: string,
  role: 'board' | 'school_admin' | 'teacher',
  extra: { schoolId?: number; classId?: number; disabledAt?: Date } = {},
): Promise<number> {
  const row = await createLoginStaff(database.handle.db, {
    districtId,
    login,
    displayName: `${login} 先生`,
    role,
    ...extra,
  });
  return row.id;
}

/** A form post as a browser without JavaScript makes it: Origin of this site, HTML wanted. */
function postForm(
  path: string,
  fields: Record<string, string>,
  options: { origin?: string; cookie?: string } = {},
): Promise<Response> {
  return fetch(`${base}${path}`, {
    method: 'POST',
    redirect: 'manual',
    headers: {
      accept: 'text/html',
      'content-type': 'application/x-www-form-urlencoded',
      origin: options.origin ?? base,
      ...(options.cookie ? { cookie: options.cookie } : {}),
    },
    body: new URLSearchParams(fields),
  });
}

function get(path: string, headers: Record<string, string> = {}): Promise<Response> {
  return fetch(`${base}${path}`, { redirect: 'manual', headers });
}

/** The staff session cookie a response sets, as "name=value" plus its attributes. */
function sessionCookieOf(response: Response): { pair: string; attributes: string[] } | undefined {
  const header = response.headers.getSetCookie().find((c) => c.startsWith('renraku_staff='));
  if (!header) return undefined;
  const [pair = '', ...attributes] = header.split(';').map((part) => part.trim());
  return { pair, attributes };
}

async function logIn(login: string, password = PASSWORD, cookie?: string) {
  const response = await postForm('/staff/login?/login', { login, password }, { cookie });
  return { response, cookie: sessionCookieOf(response) };
}

async function sessionHashes(): Promise<string[]> {
  const rows = await database.handle.db.select().from(schema.sessions);
  return rows.map((row) => row.idHash);
}

beforeAll(async () => {
  if (!existsSync(handlerFile)) {
    throw new Error(
      `${handlerFile} is missing: the web tests need \`pnpm build\` (pnpm test runs it).`,
    );
  }
  database = await createTestDatabase();
  const [district] = await database.handle.db
    .insert(schema.districts)
    .values({ code: 'minato', name: 'みなと市教育委員会' })
    .returning({ id: schema.districts.id });
  districtId = district!.id;
  boardUserId = await createStaff('board.sato', 'board');
  web = await start(contextFor({ outbox }));
  base = `http://127.0.0.1:${web.port}`;
});

afterAll(async () => {
  await Promise.all(openWebs.map((running) => running.close()));
  await database?.drop();
});

describe('/healthz', () => {
  it('answers 200 with the state of each dependency', async () => {
    const response = await get('/healthz');
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({
      status: 'ok',
      dependencies: {
        database: { state: 'up', driver: 'postgres' },
        bus: { state: 'up', kind: 'in-process' },
      },
    });
  });

  it('answers 503 and names the database when it is down', async () => {
    const deadHandle = await createDb({ url: database.url, poolMax: 1 });
    await deadHandle.close();
    const broken = await start(contextFor({ db: deadHandle.db, dbHandle: deadHandle }));
    const response = await fetch(`http://127.0.0.1:${broken.port}/healthz`);
    expect(response.status).toBe(503);
    const body = (await response.json()) as { status: string; dependencies: unknown };
    expect(body.status).toBe('unavailable');
    expect(body.dependencies).toMatchObject({
      database: { state: 'down' },
      bus: { state: 'up' },
    });
  });
  it('answers 503 when the bus has lost its broker', async () => {
    const bus = { ...createInProcessBus(), isUp: () => false };
    const broken = await start(contextFor({ bus }));
    const response = await fetch(`http://127.0.0.1:${broken.port}/healthz`);
    expect(response.status).toBe(503);
    expect(await response.json()).toMatchObject({
      status: 'unavailable',
      dependencies: { database: { state: 'up' }, bus: { state: 'down' } },
    });
  });
});

describe('staff login', () => {
  it('logs in, sets an HttpOnly SameSite=Lax session cookie and stores only its hash', async () => {
    const { response, cookie } = await logIn('board.sato');
    expect(response.status).toBe(303);
    expect(response.headers.get('location')).toBe('/staff');
    expect(cookie).toBeDefined();
    const attributes = cookie!.attributes.map((a) => a.toLowerCase());
    expect(attributes).toContain('httponly');
    expect(attributes).toContain('samesite=lax');
    expect(attributes).toContain('path=/');
    // PUBLIC_URL is http here; over https the cookie is Secure as well.
    expect(attributes).not.toContain('secure');

    const token = cookie!.pair.slice('renraku_staff='.length);
    const hashes = await sessionHashes();
    expect(hashes).toContain(hashToken(token));
    expect(hashes).not.toContain(token);

    const home = await get('/staff', { cookie: cookie!.pair });
    expect(home.status).toBe(200);
    expect(home.headers.get('x-frame-options')).toBe('DENY');
    const html = await home.text();
    expect(html).toContain('board.sato 先生');
    expect(html).toContain('みなと市教育委員会のすべての学校');

    const audits = await database.handle.db.select().from(schema.auditEvents);
    expect(audits).toContainEqual(
      expect.objectContaining({ action: 'staff.login', actorId: boardUserId, districtId }),
    );
  });

  it('keeps the page asked for in the login form, so the post carries it', async () => {
    const page = await get('/staff/login?next=%2Fstaff%2Fmessages%2F7');
    expect(await page.text()).toContain('action="?/login&amp;next=%2Fstaff%2Fmessages%2F7"');
  });

  it('logs in case-insensitively and is redirected back to the page asked for', async () => {
    const response = await postForm('/staff/login?next=%2Fstaff%3Fx%3D1&/login', {
      login: 'BOARD.SATO',
      password: PASSWORD,
    });
    expect(response.status).toBe(303);
    expect(response.headers.get('location')).toBe('/staff?x=1');
  });

  it('never redirects to another site after login', async () => {
    const response = await postForm('/staff/login?next=https%3A%2F%2Fevil.example%2F&/login', {
      login: 'board.sato',
      password: PASSWORD,
    });
    expect(response.headers.get('location')).toBe('/staff');
  });

  it('issues a new session id at each login and ends the one the browser had', async () => {
    const first = await logIn('board.sato');
    const second = await logIn('board.sato', PASSWORD, first.cookie!.pair);
    expect(second.cookie!.pair).not.toBe(first.cookie!.pair);
    const hashes = await sessionHashes();
    expect(hashes).not.toContain(hashToken(first.cookie!.pair.slice('renraku_staff='.length)));
    expect(hashes).toContain(hashToken(second.cookie!.pair.slice('renraku_staff='.length)));
  });

  it('answers a wrong password and an unknown login in exactly the same way', async () => {
    await createStaff('teacher.ito', 'board');
    const wrong = await logIn('teacher.ito', 'not the password');
    const unknown = await logIn('nobody.here', 'not the password');
    expect(wrong.response.status).toBe(400);
    expect(unknown.response.status).toBe(400);
    expect(wrong.cookie).toBeUndefined();
    expect(unknown.cookie).toBeUndefined();
    const wrongBody = (await wrong.response.text()).replaceAll('teacher.ito', 'LOGIN');
    const unknownBody = (await unknown.response.text()).replaceAll('nobody.here', 'LOGIN');
    expect(wrongBody).toContain('ログインIDまたはパスワードが違います。');
    expect(wrongBody).toBe(unknownBody);
  });

  it('refuses a disabled account with the same message', async () => {
    await createStaff('retired.kato', 'board', { disabledAt: new Date() });
    const { response, cookie } = await logIn('retired.kato');
    expect(response.status).toBe(400);
    expect(cookie).toBeUndefined();
    expect(await response.text()).toContain('ログインIDまたはパスワードが違います。');
  });

  it('asks for both fields when one is missing or absurd, without checking anything', async () => {
    const attempts: Record<string, string>[] = [
      { login: '', password: PASSWORD },
      { login: 'board.sato' },
      { login: 'board.sato', password: 'x'.repeat(10_000) },
      { login: 'x'.repeat(1000), password: PASSWORD },
    ];
    for (const fields of attempts) {
      const response = await postForm('/staff/login?/login', fields);
      expect(response.status, JSON.stringify(fields).slice(0, 60)).toBe(400);
      expect(await response.text()).toContain('ログインIDとパスワードを入力してください。');
    }
  });

  it('does not count successful logins against the limit', async () => {
    await createStaff('busy.abe', 'board');
    for (let attempt = 0; attempt < 12; attempt++) {
      expect((await logIn('busy.abe')).response.status).toBe(303);
    }
  });

  it('locks a login out after 10 failed attempts in the window', async () => {
    await createStaff('target.mori', 'board');
    const statuses: number[] = [];
    for (let attempt = 0; attempt < 11; attempt++) {
      statuses.push((await logIn('target.mori', `guess-${attempt}`)).response.status);
    }
    expect(statuses.slice(0, 10)).toEqual(Array(10).fill(400));
    expect(statuses[10]).toBe(429);
    // Even the right password is refused until the window ends.
    const { response, cookie } = await logIn('target.mori');
    expect(response.status).toBe(429);
    expect(cookie).toBeUndefined();
    expect(await response.text()).toContain('しばらくログインできません');
  });

  it('refuses a cross-origin form post (CSRF) and creates no session', async () => {
    const before = await sessionHashes();
    const response = await postForm(
      '/staff/login?/login',
      { login: 'board.sato', password: PASSWORD },
      { origin: 'http://evil.example' },
    );
    expect(response.status).toBe(403);
    expect(sessionCookieOf(response)).toBeUndefined();
    expect(await sessionHashes()).toEqual(before);
  });

  it('accepts a form post from a page of PUBLIC_URL', async () => {
    const response = await postForm(
      '/staff/login?/login',
      { login: 'board.sato', password: PASSWORD },
      { origin: 'http://renraku.test' },
    );
    expect(response.status).toBe(303);
  });
});

describe('staff pages and logout', () => {
  it('sends a visitor without a session to the login page', async () => {
    for (const path of ['/staff', '/staff/anything/deeper']) {
      const response = await get(path);
      expect(response.status).toBe(303);
      expect(response.headers.get('location')).toBe(
        `/staff/login?next=${encodeURIComponent(path)}`,
      );
    }
    const forged = await get('/staff', { cookie: `renraku_staff=${randomToken()}` });
    expect(forged.status).toBe(303);
  });

  it('refuses a cross-origin non-form request made with a valid session cookie', async () => {
    const { cookie } = await logIn('board.sato');
    const response = await fetch(`${base}/staff/logout`, {
      method: 'POST',
      redirect: 'manual',
      headers: {
        'content-type': 'application/json',
        origin: 'http://evil.example',
        cookie: cookie!.pair,
      },
      body: '{}',
    });
    expect(response.status).toBe(403);
    expect((await get('/staff', { cookie: cookie!.pair })).status).toBe(200);
  });

  it('logs out: the session row is deleted and the old cookie no longer works', async () => {
    const { cookie } = await logIn('board.sato');
    const token = cookie!.pair.slice('renraku_staff='.length);
    const response = await postForm('/staff/logout', {}, { cookie: cookie!.pair });
    expect(response.status).toBe(303);
    expect(response.headers.get('location')).toBe('/staff/login');
    expect(await sessionHashes()).not.toContain(hashToken(token));
    expect((await get('/staff', { cookie: cookie!.pair })).status).toBe(303);
    const audits = await database.handle.db.select().from(schema.auditEvents);
    expect(audits).toContainEqual(
      expect.objectContaining({ action: 'staff.logout', actorId: boardUserId }),
    );
  });

  it('switches the language with ?lang= and remembers it', async () => {
    const { cookie } = await logIn('board.sato');
    const toggle = await get('/staff?lang=en', { cookie: cookie!.pair });
    expect(toggle.status).toBe(303);
    expect(toggle.headers.get('location')).toBe('/staff');
    const langCookie = toggle.headers.getSetCookie().find((c) => c.startsWith('renraku_lang=en'));
    expect(langCookie).toBeDefined();
    const page = await get('/staff', { cookie: `${cookie!.pair}; renraku_lang=en` });
    const html = await page.text();
    expect(html).toContain('<html lang="en">');
    expect(html).toContain('Every school of みなと市教育委員会');
  });
});

describe('API tokens', () => {
  let token: string;

  beforeAll(async () => {
    token = randomToken();
    await database.handle.db.insert(schema.apiTokens).values({
      staffUserId: boardUserId,
      name: 'weather integration',
      tokenHash: hashToken(token),
      tokenPrefix: token.slice(0, 6),
    });
  });

  it('authenticates as the token’s owner with the owner’s scope', async () => {
    const response = await get('/api/v1/me', { authorization: `Bearer ${token}` });
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({
      id: boardUserId,
      login: 'board.sato',
      displayName: 'board.sato 先生',
      role: 'board',
      scope: { role: 'board', districtId },
    });
    const [stored] = await database.handle.db.select().from(schema.apiTokens);
    expect(stored?.lastUsedAt).toBeInstanceOf(Date);
  });

  it('answers 401 JSON to a bad, missing or revoked token, and to a session cookie', async () => {
    const revoked = randomToken();
    await database.handle.db.insert(schema.apiTokens).values({
      staffUserId: boardUserId,
      name: 'old',
      tokenHash: hashToken(revoked),
      tokenPrefix: revoked.slice(0, 6),
      revokedAt: new Date(),
    });
    const { cookie } = await logIn('board.sato');
    const attempts: Record<string, string>[] = [
      { authorization: `Bearer ${randomToken()}` },
      { authorization: `Bearer ${revoked}` },
      { authorization: `Basic ${Buffer.from('board.sato:x').toString('base64')}` },
      { authorization: 'Bearer' },
      { authorization: `Bearer ${'\u00ff'.repeat(5000)}` },
      { cookie: cookie!.pair },
      {},
    ];
    for (const headers of attempts) {
      const response = await get('/api/v1/me', headers);
      expect(response.status, JSON.stringify(headers).slice(0, 40)).toBe(401);
      expect(response.headers.get('www-authenticate')).toBe('Bearer');
      expect(await response.json()).toMatchObject({ error: 'unauthorized' });
    }
  });
});

describe('Socket.IO', () => {
  const clients: Socket[] = [];
  afterAll(() => clients.forEach((client) => client.close()));

  function attempt(headers: Record<string, string>): Promise<string> {
    const client = connectSocket(base, {
      transports: ['websocket'],
      extraHeaders: headers,
      reconnection: false,
    });
    clients.push(client);
    return new Promise((resolve) => {
      client.on('connect', () => resolve('connected'));
      client.on('connect_error', (error) => resolve(error.message));
    });
  }

  it('accepts a staff session from this site, and nothing else', async () => {
    const { cookie } = await logIn('board.sato');
    expect(await attempt({ origin: base, cookie: cookie!.pair })).toBe('connected');
    expect(await attempt({ origin: 'http://renraku.test', cookie: cookie!.pair })).toBe(
      'connected',
    );
    expect(await attempt({ origin: base })).toBe('unauthorized');
    expect(await attempt({ origin: base, cookie: `renraku_staff=${randomToken()}` })).toBe(
      'unauthorized',
    );
    expect(await attempt({ origin: 'http://evil.example', cookie: cookie!.pair })).toBe(
      'origin not allowed',
    );
  });
});

describe('/dev/outbox', () => {
  it('lists and shows the caught mails in the embedded mode', async () => {
    const list = await get('/dev/outbox');
    expect(list.status).toBe(200);
    const listHtml = await list.text();
    expect(listHtml).toContain('【登録】ご利用登録のご案内');
    expect(listHtml).toContain('parent@example.jp');
    expect(listHtml).toContain('2026/4/7 7:15:00');

    const one = await get('/dev/outbox/1');
    expect(one.status).toBe(200);
    const html = await one.text();
    expect(html).toContain('href="http://127.0.0.1/register/abc"');
    expect(html).toContain('Auto-Submitted: auto-replied');
    expect(html).not.toContain('>body<');
  });

  it('answers 404 for unknown or malformed ids', async () => {
    for (const path of ['/dev/outbox/2', '/dev/outbox/abc', '/dev/outbox/1e3', '/dev/outbox/-1']) {
      expect((await get(path)).status, path).toBe(404);
    }
  });

  it('does not exist outside the embedded mode', async () => {
    const plain = await start(contextFor());
    const response = await fetch(`http://127.0.0.1:${plain.port}/dev/outbox`);
    expect(response.status).toBe(404);
    expect(await response.text()).not.toContain('ご利用登録');
  });
});
