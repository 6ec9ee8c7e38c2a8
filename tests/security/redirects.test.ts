import { request } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { logIn, PASSWORD, postForm } from '../send/harness';
import { startProbeWeb, type ProbeWeb } from './support';

// Issue 12 item 17, the probe: a request path or a ?next= that names another site must never
// become a Location that leaves this site. Raw paths are sent with node:http, because fetch
// would normalise the backslashes and the dot segments before they reach the server.

let world: ProbeWeb;
let port: number;
let base: string;

const PROBES = [
  '//evil.example/staff/login',
  '/\\evil.example/staff/login',
  '/\\/evil.example/staff/login',
  '//\\evil.example/',
  '/%2F%2Fevil.example/staff/login',
  '/.//evil.example/staff/login',
  '///evil.example/staff/login',
];

const NEXTS = [
  'https://evil.example/staff',
  '//evil.example/staff',
  '/\\evil.example/staff',
  '\\\\evil.example/staff',
  '/staff/..//evil.example',
  '/staff/../\\evil.example',
  '%2F%2Fevil.example',
  ' //evil.example/staff',
  'javascript:alert(1)',
];

/** A GET with the path exactly as written; the answer's status and Location. */
function rawGet(path: string, cookie?: string): Promise<{ status: number; location?: string }> {
  return new Promise((resolve, reject) => {
    const req = request(
      { host: '127.0.0.1', port, path, method: 'GET', headers: cookie ? { cookie } : {} },
      (res) => {
        res.resume();
        res.on('end', () =>
          resolve({ status: res.statusCode ?? 0, location: res.headers.location }),
        );
      },
    );
    req.on('error', reject);
    req.end();
  });
}

/** True when a browser following `location` from this site would stay on this site. */
function staysOnSite(location: string | undefined): boolean {
  if (location === undefined) return true;
  return new URL(location, base).origin === new URL(base).origin;
}

beforeAll(async () => {
  world = await startProbeWeb();
  ({ base } = world);
  port = world.web.port;
});

afterAll(async () => {
  await world?.close();
});

describe('redirects built from a request stay on this site (item 17)', () => {
  it('the language switch never answers with another site, whatever the raw path', async () => {
    for (const path of PROBES) {
      for (const query of ['?lang=ja', '?lang=en&x=1']) {
        const answer = await rawGet(`${path}${query}`);
        expect(answer.status, path).toBe(303);
        expect(answer.location, path).toMatch(/^\/(?![/\\])/);
        expect(staysOnSite(answer.location), `${path} → ${answer.location}`).toBe(true);
      }
    }
  });

  it('the language switch still returns to the page it was asked on', async () => {
    const answer = await rawGet('/staff/login?lang=en&next=%2Fstaff%2Fmessages');
    expect(answer.status).toBe(303);
    expect(answer.location).toBe('/staff/login?next=%2Fstaff%2Fmessages');
  });

  it('the login guard never sends anyone to another site', async () => {
    for (const path of PROBES) {
      const answer = await rawGet(path);
      expect(staysOnSite(answer.location), `${path} → ${answer.location}`).toBe(true);
    }
  });

  it('?next= after a staff login or on the login page never leaves the site', async () => {
    const cookie = await logIn(base, 'board.sato');
    for (const next of NEXTS) {
      const path = `/staff/login?next=${encodeURIComponent(next)}`;
      const page = await rawGet(path, cookie);
      expect(page.status, next).toBe(303);
      expect(page.location, next).toMatch(/^\/staff(\/|$)/);
      const posted = await postForm(base, `/staff/login?/login&next=${encodeURIComponent(next)}`, {
        login: 'board.sato',
        password: PASSWORD,
      });
      expect(posted.status, next).toBe(303);
      expect(posted.headers.get('location'), next).toMatch(/^\/staff(\/|$)/);
    }
  });
});
