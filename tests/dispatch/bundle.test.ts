import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { expect, it } from 'vitest';
import { DISPATCHER_BUNDLE, DISPATCHER_NODE_FLAGS } from '@renraku/dispatcher/launch';

// The dispatcher's production form: the bundle `pnpm build` writes, started the way
// `pnpm start:dispatcher` starts it. (The crash tests run it on PostgreSQL; here, on the
// embedded database, whose driver is a chunk the bundle loads only then.)

const root = fileURLToPath(new URL('../..', import.meta.url));

it('pnpm start:dispatcher runs the bundle with the heap budget the benchmarks measure', () => {
  const manifest = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as {
    scripts: Record<string, string>;
  };
  const relative = DISPATCHER_BUNDLE.slice(root.length);
  expect(relative).toBe('apps/dispatcher/dist/main.mjs');
  expect(manifest.scripts['start:dispatcher']).toBe(
    `node --import tsx apps/embedded/src/prebuilt.ts dispatcher && exec node ${DISPATCHER_NODE_FLAGS.join(' ')} ${relative}`,
  );
});

it('the bundle starts on the embedded database, migrates it and stops cleanly on SIGTERM', async () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'renraku-bundle-'));
  try {
    const child = spawn(process.execPath, [...DISPATCHER_NODE_FLAGS, DISPATCHER_BUNDLE], {
      cwd: root,
      env: {
        PATH: process.env.PATH ?? '',
        DATA_DIR: dataDir,
        SMTP_URL: 'smtp://127.0.0.1:9',
        INBOUND_SMTP_HOST: '127.0.0.1',
        INBOUND_SMTP_PORT: '0',
        DISPATCHER_HEALTH_PORT: '0',
        MAIL_DOMAIN: 'renraku.test',
        PUBLIC_URL: 'https://renraku.example.jp',
        LOG_LEVEL: 'info',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
    const messages: string[] = [];
    let stderr = '';
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    const listening = new Promise<void>((resolve) => {
      createInterface({ input: child.stdout }).on('line', (line) => {
        const { msg } = JSON.parse(line) as { msg: string };
        messages.push(msg);
        if (msg === 'inbound SMTP listening') resolve();
      });
    });
    await Promise.race([
      listening,
      exited.then((code) => {
        throw new Error(`the bundle exited with ${code}: ${stderr}`);
      }),
    ]);
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
    expect(messages).toEqual(
      expect.arrayContaining([
        'dispatcher started',
        'inbound SMTP listening',
        'dispatcher stopped',
      ]),
    );
    expect(stderr).toBe('');
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
});
