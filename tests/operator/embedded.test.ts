import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../support/ports';
import { cli, startCommand, type RunningCommand } from './processes';

// `pnpm start` as an operator runs it, and the CLI beside it on the same embedded database.

const LOCK_FILE = 'pglite.pid';
/** A stack trace's frames, as node prints them. */
const STACK_FRAME = /^\s+at .+\(?.+:\d+:\d+\)?$/m;

/** A pid that was alive a moment ago and is not any more. */
function deadPid(): number {
  const child = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))']);
  return Number(child.stdout.toString());
}

describe('the embedded database is one process at a time', () => {
  let dataDir: string;
  beforeAll(() => {
    dataDir = mkdtempSync(join(tmpdir(), 'renraku-lock-'));
  });
  afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

  it('refuses the CLI while a live process holds the database, with the reason and no stack', async () => {
    // Held as the running server holds it: its pid in DATA_DIR (here, this test's own).
    writeFileSync(join(dataDir, LOCK_FILE), `${process.pid}\n`);
    try {
      const refused = await cli(['list-schools'], { DATA_DIR: dataDir });
      expect(refused.code).toBe(1);
      expect(refused.stderr).toContain(`in use by a running Renraku process (pid ${process.pid})`);
      expect(refused.stderr).toContain('DATABASE_URL');
      expect(refused.stderr).not.toMatch(STACK_FRAME);
      expect(refused.stderr).not.toMatch(/RuntimeError|Aborted/);
    } finally {
      rmSync(join(dataDir, LOCK_FILE), { force: true });
    }
  });

  it('takes over the lock of a process that was killed', async () => {
    writeFileSync(join(dataDir, LOCK_FILE), `${deadPid()}\n`);
    const migrated = await cli(['migrate'], { DATA_DIR: dataDir });
    expect(migrated.stderr).toBe('');
    expect(migrated.code).toBe(0);
    // Released when the command closed the database.
    expect(existsSync(join(dataDir, LOCK_FILE))).toBe(false);
  });

  it('treats a garbled lock file as stale', async () => {
    writeFileSync(join(dataDir, LOCK_FILE), 'not a pid');
    const listed = await cli(['list-schools', '--json'], { DATA_DIR: dataDir });
    expect(listed.code).toBe(0);
    expect(existsSync(join(dataDir, LOCK_FILE))).toBe(false);
  });
});

describe('pnpm start', () => {
  let dataDir: string;
  let start: RunningCommand | undefined;
  beforeAll(() => {
    dataDir = mkdtempSync(join(tmpdir(), 'renraku-start-'));
  });
  afterAll(() => {
    if (start && start.child.exitCode === null) start.child.kill('SIGKILL');
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('runs beside a clearly refused CLI, stops cleanly on SIGTERM, and the CLI works after', async () => {
    const port = await freePort();
    start = startCommand('pnpm', ['start'], {
      DATA_DIR: dataDir,
      PORT: String(port),
      INBOUND_SMTP_HOST: '127.0.0.1',
      INBOUND_SMTP_PORT: '0',
    });
    await start.waitFor(/Renraku is running/, 240_000);
    expect((await fetch(`http://127.0.0.1:${port}/healthz`)).status).toBe(200);

    const refused = await cli(['list-schools'], { DATA_DIR: dataDir });
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/^error: the embedded database in .+ is in use by a running/);
    expect(refused.stderr).toContain('DATABASE_URL');
    expect(refused.stderr).not.toMatch(STACK_FRAME);
    expect(refused.stderr).not.toMatch(/RuntimeError|Aborted/);

    start.child.kill('SIGTERM');
    expect(await start.exited).toEqual({ code: 0, signal: null });
    const output = start.output();
    expect(output).toContain('dispatcher stopped');
    expect(output).not.toContain('ELIFECYCLE');
    expect(output).not.toMatch(/warn/i);
    // pino's warn, error and fatal levels.
    expect(output).not.toMatch(/"level":(40|50|60)/);
    // Started on the existing build: starting never rebuilds under another process.
    expect(output).not.toContain('vite');

    const listed = await cli(['list-schools', '--json'], { DATA_DIR: dataDir });
    expect(listed.code).toBe(0);
    expect(listed.output).toContain('chuosho');
  }, 300_000);
});
