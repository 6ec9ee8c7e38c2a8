import { execFile } from 'node:child_process';
import { copyFile, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadDispatcherEnv } from '@renraku/dispatcher';
import { loadWebEnv } from '../../apps/web/server/env';

// The rest of deploy/: systemd-analyze verify on the units, the env file sample as both
// processes read it, and the Postfix sample against the dispatcher's carrier limits.

const DEPLOY = fileURLToPath(new URL('../../deploy/', import.meta.url));
const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const UNITS = ['renraku-web@.service', 'renraku-dispatcher.service'];

function run(command: string, args: string[]) {
  return new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
    execFile(command, args, (error, stdout, stderr) =>
      resolve({ code: error ? Number(error.code ?? 1) : 0, stdout, stderr }),
    );
  });
}

const deployFile = (path: string) => readFile(join(DEPLOY, path), 'utf8');

/** KEY=VALUE lines of an env file, as systemd's EnvironmentFile reads them. */
function parseEnvFile(text: string): Record<string, string> {
  const entries = text
    .split('\n')
    .filter((line) => /^[A-Z_]+=/.test(line))
    .map((line) => [line.slice(0, line.indexOf('=')), line.slice(line.indexOf('=') + 1)]);
  return Object.fromEntries(entries) as Record<string, string>;
}

describe('systemd units', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'renraku-units-'));
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  /** The units with node where this machine has it (verify checks that ExecStart exists). */
  async function copyUnits(edit: (text: string) => string = (text) => text) {
    for (const unit of UNITS) {
      const text = await deployFile(`systemd/${unit}`);
      await writeFile(join(dir, unit), edit(text.replaceAll('/usr/bin/node', process.execPath)));
    }
    return ['renraku-web@3010.service', 'renraku-dispatcher.service'].map((unit) =>
      join(dir, unit),
    );
  }

  it('pass systemd-analyze verify without a warning, a web instance taking its port from its name', async () => {
    const result = await run('systemd-analyze', ['verify', ...(await copyUnits())]);
    expect(result).toMatchObject({ code: 0, stderr: '' });
    const web = await deployFile('systemd/renraku-web@.service');
    expect(web).toMatch(/^Environment=PORT=%i$/m);
  });

  it('are really checked: a missing binary or an unknown setting fails the verification', async () => {
    const missing = await copyUnits((text) =>
      text.replace(/^ExecStart=\S+/m, 'ExecStart=/nonexistent/node'),
    );
    expect((await run('systemd-analyze', ['verify', ...missing])).code).not.toBe(0);
    const misspelt = await copyUnits((text) => text.replace('Restart=', 'Restrat='));
    expect((await run('systemd-analyze', ['verify', ...misspelt])).stderr).toContain(
      "Unknown key 'Restrat'",
    );
  });

  it('run what pnpm start:web and pnpm start:dispatcher run', async () => {
    const scripts = (
      JSON.parse(await readFile(join(ROOT, 'package.json'), 'utf8')) as {
        scripts: Record<string, string>;
      }
    ).scripts;
    for (const [unit, script] of [
      ['renraku-web@.service', 'start:web'],
      ['renraku-dispatcher.service', 'start:dispatcher'],
    ] as const) {
      const execStart = /^ExecStart=\/usr\/bin\/node (.+)$/m.exec(
        await deployFile(`systemd/${unit}`),
      );
      expect(scripts[script]).toContain(`exec node ${execStart?.[1]}`);
    }
  });
});

/** The env file sample with SECRET_KEY filled in, as an operator completes it. */
async function sampleEnv() {
  return { ...parseEnvFile(await deployFile('renraku.env.sample')), SECRET_KEY: 'k'.repeat(48) };
}

describe('env file sample', () => {
  it('is read by the web and the dispatcher once SECRET_KEY is filled in', async () => {
    const sample = parseEnvFile(await deployFile('renraku.env.sample'));
    // Left empty on purpose, so that nobody runs with a key from a sample.
    expect(sample.SECRET_KEY).toBe('');
    expect(sample.PORT).toBeUndefined();
    const env = await sampleEnv();
    const web = loadWebEnv(env);
    expect(web.trustProxy).toBe('loopback');
    expect(web.publicUrl).toBe('https://renraku.example.jp');
    const dispatcher = loadDispatcherEnv(env);
    expect(dispatcher.inbound.port).toBe(25);
    expect(dispatcher.mailDomain).toBe(new URL(web.publicUrl).hostname);
  });
});

describe('Postfix sample', () => {
  it('gives every carrier of CARRIER_LIMITS its transport, concurrency and mails per connection', async () => {
    const [transport, mainCf, masterCf] = await Promise.all([
      deployFile('postfix/transport'),
      deployFile('postfix/main.cf'),
      deployFile('postfix/master.cf'),
    ]);
    const routes = new Map(
      transport
        .split('\n')
        .filter((line) => line && !line.startsWith('#'))
        .map((line) => line.split(/\s+/) as [string, string]),
    );
    const env = loadDispatcherEnv(await sampleEnv());
    for (const { domains, concurrency, maxMessages } of env.dispatch.carrierLimits) {
      const transports = new Set(domains.map((domain) => routes.get(domain)));
      expect([domains, transports.size]).toEqual([domains, 1]);
      const name = [...transports][0]!.replace(/:$/, '');
      expect(mainCf).toContain(`${name}_destination_concurrency_limit = ${concurrency}\n`);
      const service = new RegExp(`^${name} +unix[^\\n]*smtp\\n((?: +-o [^\\n]+\\n)*)`, 'm').exec(
        masterCf,
      );
      expect(service, `${name} in master.cf`).not.toBeNull();
      if (maxMessages !== undefined) {
        expect(service![1]).toContain(`-o smtp_connection_reuse_count_limit=${maxMessages}`);
      }
    }
    // Postfix's own bounces go to MAIL_DOMAIN: to the dispatcher's inbound port.
    expect(routes.get('renraku.example.jp')).toBe('smtp:[127.0.0.1]:25');
  });

  it('is a configuration postconf and postmap accept without a warning', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'renraku-postfix-sample-'));
    try {
      for (const file of ['main.cf', 'master.cf', 'transport']) {
        await copyFile(join(DEPLOY, 'postfix', file), join(dir, file));
      }
      // -n lists the settings made; a misspelt or unused one is a warning on stderr.
      const settings = await run('/usr/sbin/postconf', ['-c', dir, '-n']);
      expect(settings).toMatchObject({ code: 0, stderr: '' });
      expect(settings.stdout).toContain('transport_maps = hash:/etc/postfix/transport');
      const map = `hash:${join(dir, 'transport')}`;
      expect(await run('/usr/sbin/postmap', ['-c', dir, map])).toMatchObject({
        code: 0,
        stderr: '',
      });
      const query = await run('/usr/sbin/postmap', ['-c', dir, '-q', 'au.com', map]);
      expect(query.stdout.trim()).toBe('au:');
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
