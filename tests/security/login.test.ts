import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loginDelayMs } from '../../apps/web/src/lib/server/auth/login';
import { PASSWORD, postForm } from '../send/harness';
import { startProbeWeb, type ProbeWeb } from './support';

// Issue 12 item 22, the probe: ten wrong passwords used to lock a staff login for everyone for
// 15 minutes, so anyone could lock the board out during an emergency. Now the attacker's
// address is refused for that login, while the real user from elsewhere, or from the same
// school network on a known device, still logs in. TRUST_PROXY lets a test pick its address.

let world: ProbeWeb;

beforeAll(async () => {
  world = await startProbeWeb({ TRUST_PROXY: 'true' });
});

afterAll(async () => {
  await world?.close();
});

const createBoard = (login: string) => world.addBoard(login);

interface Attempt {
  status: number;
  session: boolean;
  device?: string;
  text: string;
}

async function logIn(
  login: string,
  password: string,
  from: string,
  device?: string,
): Promise<Attempt> {
  const response = await postForm(world.base, '/staff/login?/login', { login, password }, device, {
    'x-forwarded-for': from,
  });
  const cookies = response.headers.getSetCookie();
  return {
    status: response.status,
    session: cookies.some((c) => c.startsWith('renraku_staff=')),
    device: cookies.find((c) => c.startsWith('renraku_device='))?.split(';')[0],
    text: await response.text(),
  };
}

const ATTACKER = '198.51.100.66';
const SCHOOL_NETWORK = '203.0.113.10';
const HOME = '192.0.2.44';

describe('staff login under attack (item 22)', () => {
  it('refuses the attacker after 10 failures, but not the real user from elsewhere', async () => {
    await createBoard('kyoiku.chief');
    for (let attempt = 0; attempt < 10; attempt++) {
      expect((await logIn('kyoiku.chief', `guess-${attempt}`, ATTACKER)).status).toBe(400);
    }
    expect((await logIn('kyoiku.chief', 'guess-10', ATTACKER)).status).toBe(429);
    // The attacker's address stays refused, even with the right password (decision: README).
    const attacker = await logIn('kyoiku.chief', PASSWORD, ATTACKER);
    expect(attacker).toMatchObject({ status: 429, session: false });

    const owner = await logIn('kyoiku.chief', PASSWORD, HOME);
    expect(owner).toMatchObject({ status: 303, session: true });
  });

  it('lets a known device through on the attacker’s own network', async () => {
    await createBoard('kocho.sato');
    const first = await logIn('kocho.sato', PASSWORD, SCHOOL_NETWORK);
    expect(first.status).toBe(303);
    expect(first.device).toMatch(/^renraku_device=\d+\.[\w-]+\.[\w-]+$/);
    for (let attempt = 0; attempt < 11; attempt++) {
      await logIn('kocho.sato', `guess-${attempt}`, SCHOOL_NETWORK);
    }
    // Another browser on that network (no known-device cookie) is refused…
    expect((await logIn('kocho.sato', PASSWORD, SCHOOL_NETWORK)).status).toBe(429);
    // …a forged or borrowed cookie counts for nothing…
    const forged = first.device!.replace(/.$/, (ch) => (ch === 'A' ? 'B' : 'A'));
    expect((await logIn('kocho.sato', PASSWORD, SCHOOL_NETWORK, forged)).status).toBe(429);
    // …and the owner's own browser logs in.
    const owner = await logIn('kocho.sato', PASSWORD, SCHOOL_NETWORK, first.device);
    expect(owner).toMatchObject({ status: 303, session: true });
  });

  it('a known device of one account does not help against another', async () => {
    await createBoard('own.account');
    await createBoard('other.account');
    const mine = await logIn('own.account', PASSWORD, ATTACKER);
    for (let attempt = 0; attempt < 11; attempt++) {
      await logIn('other.account', `guess-${attempt}`, ATTACKER, mine.device);
    }
    expect((await logIn('other.account', PASSWORD, ATTACKER, mine.device)).status).toBe(429);
  });

  it('limits a known device’s own failures too', async () => {
    await createBoard('stolen.laptop');
    const first = await logIn('stolen.laptop', PASSWORD, HOME);
    const statuses: number[] = [];
    for (let attempt = 0; attempt < 11; attempt++) {
      statuses.push((await logIn('stolen.laptop', `guess-${attempt}`, HOME, first.device)).status);
    }
    expect(statuses.slice(0, 10)).toEqual(Array(10).fill(400));
    expect(statuses[10]).toBe(429);
  });

  it('locks a login that is guessed at from everywhere, except for its known devices', async () => {
    await createBoard('busy.target');
    const first = await logIn('busy.target', PASSWORD, HOME);
    // 100 failures from many addresses, as a botnet would leave them (set up directly).
    await world.db.execute(
      sql`insert into rate_limits (key, hits, window_ends_at)
          values ('staff-login:login:busy.target', 100, now() + interval '15 minutes')
          on conflict (key) do update set hits = 100, window_ends_at = excluded.window_ends_at`,
    );
    const fresh = await logIn('busy.target', PASSWORD, '192.0.2.99');
    expect(fresh).toMatchObject({ status: 429, session: false });
    expect(fresh.text).toContain('しばらくログインできません');
    const owner = await logIn('busy.target', PASSWORD, '192.0.2.99', first.device);
    expect(owner).toMatchObject({ status: 303, session: true });
  });

  it('answers an unknown login exactly like a known one, under the limits too', async () => {
    await createBoard('real.person');
    const answers: Record<string, number[]> = { real: [], ghost: [] };
    for (let attempt = 0; attempt < 11; attempt++) {
      answers.real!.push((await logIn('real.person', `guess-${attempt}`, '198.51.100.7')).status);
      answers.ghost!.push(
        (await logIn('no.such.person', `guess-${attempt}`, '198.51.100.7')).status,
      );
    }
    expect(answers.ghost).toEqual(answers.real);
    const real = await logIn('real.person', 'wrong', HOME);
    const ghost = await logIn('no.such.person', 'wrong', HOME);
    expect(ghost.status).toBe(real.status);
    // The form keeps the login as typed; everything else is the same.
    const strip = (html: string) => html.replaceAll('no.such.person', 'real.person');
    expect(strip(ghost.text)).toEqual(strip(real.text));
  });
});

describe('the growing delay', () => {
  it('is none up to 10 failures, then doubles from a quarter second to at most 4 s', () => {
    expect([0, 5, 10].map(loginDelayMs)).toEqual([0, 0, 0]);
    expect([11, 12, 13, 14, 15, 16, 50].map(loginDelayMs)).toEqual([
      250, 500, 1000, 2000, 4000, 4000, 4000,
    ]);
  });
});
