import { statSync } from 'node:fs';
import { createTestDatabase, type TestDatabase } from '@renraku/db/testing';
import { WEB_BUILD_HANDLER } from '../../apps/web/server/build';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { freePort } from '../support/ports';
import { runCommand, startCommand, type RunningCommand } from './processes';

// Build once, start many: a second `pnpm start:web` in the same checkout while the first
// serves. Starting must not rebuild (and so empty) the build the first one loads pages from.

let database: TestDatabase;
const webs: RunningCommand[] = [];

beforeAll(async () => {
  database = await createTestDatabase();
});
afterAll(async () => {
  for (const web of webs) if (web.child.exitCode === null) web.child.kill('SIGKILL');
  await database?.drop();
});

async function startWeb(): Promise<{ web: RunningCommand; base: string }> {
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  const web = startCommand('pnpm', ['start:web'], {
    DATABASE_URL: database.url,
    SECRET_KEY: 'two-webs-secret-key-0123456789abcdefghij',
    PORT: String(port),
    PUBLIC_URL: base,
    LOG_LEVEL: 'info',
  });
  webs.push(web);
  await web.waitFor(/"msg":"web started"/);
  return { web, base };
}

it('a second web process starts on the same build and the first still serves every page', async () => {
  const built = statSync(WEB_BUILD_HANDLER).mtimeMs;
  const first = await startWeb();
  expect((await fetch(`${first.base}/staff/login`)).status).toBe(200);

  const second = await startWeb();
  // Pages the first process has not loaded yet: their chunks come from the build now.
  for (const path of ['/staff/login', '/account/login', '/account/forgot', '/']) {
    const [a, b] = await Promise.all([
      fetch(`${first.base}${path}`, { redirect: 'manual' }),
      fetch(`${second.base}${path}`, { redirect: 'manual' }),
    ]);
    expect([path, a.status]).toEqual([path, b.status]);
    expect(a.status).toBeLessThan(500);
  }
  expect(statSync(WEB_BUILD_HANDLER).mtimeMs).toBe(built);
  expect(second.web.output()).not.toContain('vite');

  for (const { web } of [second, first]) {
    web.child.kill('SIGTERM');
    expect(await web.exited).toEqual({ code: 0, signal: null });
    expect(web.output()).not.toContain('ELIFECYCLE');
    expect(web.output()).not.toMatch(/"level":(40|50|60)/);
  }
}, 300_000);

it('refuses an unknown build name', async () => {
  const refused = await runCommand(
    process.execPath,
    ['--import', 'tsx', 'apps/embedded/src/prebuilt.ts', 'frontend'],
    {},
  );
  expect(refused.code).toBe(2);
  expect(refused.stderr).toContain('usage: prebuilt.ts web | dispatcher | --build-missing');
});
