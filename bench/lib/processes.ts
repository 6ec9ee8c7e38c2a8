import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { connect } from 'node:net';
import { fileURLToPath } from 'node:url';
import { createInterface } from 'node:readline';
import { DISPATCHER_BUNDLE, DISPATCHER_NODE_FLAGS } from '@renraku/dispatcher/launch';
import { freePort } from '../../tests/support/ports';

export { freePort };

// The processes a bench run starts: the SMTP sink, Redis, the dispatcher and the web, each
// its own OS process as in production, plus a sampler of the dispatcher's memory.

export const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const DISPATCHER_SOURCE = `${ROOT}apps/dispatcher/src/main.ts`;

/** A child process the bench owns: it is stopped by its own pid, never by name. */
export interface Child {
  name: string;
  process: ChildProcess;
  pid: number;
  exited: Promise<number | null>;
  /** Resolves with the first stdout/stderr line matching, or rejects when the child exits. */
  waitForLine(pattern: RegExp, timeoutMs?: number): Promise<string>;
  /** The last lines the child printed (at least 2,000). */
  lines: string[];
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

/** Every child still running, so that an interrupted run can stop them all. */
const running = new Set<ChildProcess>();

/** Stops every child the bench started and that is still running (an interrupted run). */
export function killAllChildren(): void {
  for (const child of running) child.kill('SIGKILL');
}

export function startChild(
  name: string,
  command: string,
  args: string[],
  env: Record<string, string> = {},
): Child {
  const child = spawn(command, args, {
    cwd: ROOT,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  if (child.pid === undefined) throw new Error(`${name}: could not start ${command}`);
  running.add(child);
  child.once('exit', () => running.delete(child));
  const lines: string[] = [];
  const waiters = new Set<{ pattern: RegExp; resolve: (line: string) => void }>();
  for (const stream of [child.stdout, child.stderr]) {
    // Carriage returns too: smtp-sink rewrites its counter line in place.
    createInterface({ input: stream, crlfDelay: Infinity }).on('line', (text) => {
      for (const line of text.split('\r')) {
        lines.push(line);
        // Only the recent lines are kept (smtp-sink prints a line per mail).
        if (lines.length > 4000) lines.splice(0, 2000);
        for (const waiter of waiters) {
          if (waiter.pattern.test(line)) {
            waiters.delete(waiter);
            waiter.resolve(line);
          }
        }
      }
    });
  }
  const exited = new Promise<number | null>((resolve) =>
    child.once('exit', (code, signal) => resolve(code ?? (signal ? -1 : null))),
  );
  const pid = child.pid;
  return {
    name,
    process: child,
    pid,
    exited,
    lines,
    waitForLine(pattern, timeoutMs = 60_000) {
      const seen = lines.find((line) => pattern.test(line));
      if (seen !== undefined) return Promise.resolve(seen);
      return new Promise((resolve, reject) => {
        let settled = false;
        const finish = (settle: () => void) => {
          if (settled) return;
          settled = true;
          clearTimeout(timer);
          waiters.delete(waiter);
          settle();
        };
        const waiter = { pattern, resolve: (line: string) => finish(() => resolve(line)) };
        const timer = setTimeout(
          () => finish(() => reject(new Error(`${name}: no ${pattern} in ${timeoutMs} ms`))),
          timeoutMs,
        );
        void exited.then(() =>
          finish(() =>
            reject(new Error(`${name} exited before ${pattern}:\n${lines.slice(-20).join('\n')}`)),
          ),
        );
        waiters.add(waiter);
      });
    },
    async stop(signal = 'SIGTERM') {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      return exited;
    },
  };
}

/**
 * `pnpm build`, once the command line is known to be right: the bench runs the built web and
 * dispatcher, and a stale build would measure yesterday's code.
 */
export function buildApps(): void {
  const built = spawnSync('pnpm', ['build'], { cwd: ROOT, stdio: 'inherit' });
  if (built.status !== 0) process.exit(built.status ?? 1);
}

const SMTP_SINK = '/usr/sbin/smtp-sink';

/** Postfix's smtp-sink; installed from Debian's postfix package when absent. */
export async function ensureSmtpSink(): Promise<string> {
  if (existsSync(SMTP_SINK)) return SMTP_SINK;
  console.log('smtp-sink missing: installing Debian package postfix …');
  for (const args of [['update'], ['install', '-y', 'postfix']]) {
    const apt = startChild('apt-get', 'apt-get', args, { DEBIAN_FRONTEND: 'noninteractive' });
    if ((await apt.exited) !== 0) {
      throw new Error(`apt-get ${args.join(' ')} failed:\n${apt.lines.slice(-10).join('\n')}`);
    }
  }
  if (!existsSync(SMTP_SINK))
    throw new Error(`${SMTP_SINK} still missing after installing postfix`);
  return SMTP_SINK;
}

/** smtp-sink on 127.0.0.1 counting what it accepted (`-c`); it never stores a mail. */
export async function startSmtpSink(): Promise<Child & { url: string; accepted(): number }> {
  const binary = await ensureSmtpSink();
  const port = await freePort();
  // As root it must drop privileges; 1024 is its listen backlog.
  const user = process.getuid?.() === 0 ? ['-u', 'nobody'] : [];
  const child = startChild('smtp-sink', binary, ['-c', ...user, `127.0.0.1:${port}`, '1024']);
  await waitForPort(port);
  return {
    ...child,
    url: `smtp://127.0.0.1:${port}`,
    accepted() {
      for (let i = child.lines.length - 1; i >= 0; i--) {
        const count = /mesg=(\d+)/.exec(child.lines[i] ?? '');
        if (count) return Number(count[1]);
      }
      return 0;
    },
  };
}

/** Polls until something accepts TCP connections on the port. */
export async function waitForPort(port: number, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const open = await new Promise<boolean>((resolve) => {
      const socket = connect(port, '127.0.0.1');
      socket.once('connect', () => {
        socket.destroy();
        resolve(true);
      });
      socket.once('error', () => resolve(false));
    });
    if (open) return;
    if (Date.now() > deadline) throw new Error(`nothing listens on port ${port}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** A private redis-server (no persistence) on `port`, so drills may stop and restart it. */
export async function startRedis(port: number): Promise<Child & { url: string }> {
  const child = startChild('redis-server', 'redis-server', [
    '--port',
    String(port),
    '--bind',
    '127.0.0.1',
    '--save',
    '',
    '--appendonly',
    'no',
  ]);
  await child.waitForLine(/Ready to accept connections/, 10_000);
  return { ...child, url: `redis://127.0.0.1:${port}` };
}

/** What a dispatcher or web child needs to reach the bench's services. */
export interface ServiceUrls {
  databaseUrl: string;
  redisUrl: string;
  smtpUrl: string;
  secretKey: string;
}

/**
 * `pnpm start:dispatcher` exactly as production runs it (the bundle under its heap budget), so
 * that its RSS is the dispatcher's alone and SIGKILL kills a real dispatcher. `cpuProfileDir`
 * adds node's sampling profiler and runs the same code from source instead, so that its time
 * is charged to the file and package it is in; the profile is written when it exits on SIGTERM.
 */
export async function startDispatcherProcess(
  urls: ServiceUrls,
  settings: Record<string, string> = {},
  cpuProfileDir?: string,
): Promise<Child> {
  const program = cpuProfileDir
    ? ['--cpu-prof', `--cpu-prof-dir=${cpuProfileDir}`, '--import', 'tsx', DISPATCHER_SOURCE]
    : [DISPATCHER_BUNDLE];
  const child = startChild('dispatcher', process.execPath, [...DISPATCHER_NODE_FLAGS, ...program], {
    DATABASE_URL: urls.databaseUrl,
    REDIS_URL: urls.redisUrl,
    SMTP_URL: urls.smtpUrl,
    SECRET_KEY: urls.secretKey,
    INBOUND_SMTP_HOST: '127.0.0.1',
    INBOUND_SMTP_PORT: '0',
    DISPATCHER_HEALTH_PORT: '0',
    MAIL_DOMAIN: 'renraku.test',
    PUBLIC_URL: 'https://renraku.example.jp',
    LOG_LEVEL: 'info',
    ...settings,
  });
  try {
    await child.waitForLine(/dispatcher started/);
  } catch (error) {
    await child.stop('SIGKILL');
    throw error;
  }
  return child;
}

/** The web process (`pnpm start:web`) on a free port, ready when /healthz answers. */
export async function startWebProcess(
  urls: ServiceUrls,
  settings: Record<string, string> = {},
): Promise<Child & { base: string }> {
  const handler = `${ROOT}apps/web/build/handler.js`;
  if (!existsSync(handler)) throw new Error(`${handler} missing: run \`pnpm build\` first`);
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  const child = startChild(
    'web',
    process.execPath,
    // As `pnpm start:web` runs it (the README says why the larger young generation).
    ['--max-semi-space-size=64', '--import', 'tsx', 'apps/web/server/main.ts'],
    {
      DATABASE_URL: urls.databaseUrl,
      REDIS_URL: urls.redisUrl,
      SMTP_URL: urls.smtpUrl,
      SECRET_KEY: urls.secretKey,
      PORT: String(port),
      PUBLIC_URL: base,
      LOG_LEVEL: 'warn',
      ...settings,
    },
  );
  try {
    await Promise.race([
      waitForPort(port, 60_000),
      child.exited.then(() => {
        throw new Error(`web exited:\n${child.lines.slice(-20).join('\n')}`);
      }),
    ]);
  } catch (error) {
    await child.stop('SIGKILL');
    throw error;
  }
  return { ...child, base };
}

/** Resident memory of a process, in MiB, sampled from /proc. */
export interface MemoryFigures {
  /** The first sample: the process as it started, before the measured work. */
  startRssMiB: number;
  /** Highest VmRSS sampled, and the kernel's own high-water mark (VmHWM). */
  peakRssMiB: number;
  hwmMiB: number;
  lastRssMiB: number;
  samples: number;
}

export interface MemorySampler {
  stop(): MemoryFigures;
}

function statusKiB(pid: number, field: 'VmRSS' | 'VmHWM'): number | null {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const match = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status);
    return match ? Number(match[1]) : null;
  } catch {
    return null;
  }
}

export function sampleMemory(pid: number, everyMs = 200): MemorySampler {
  let start = 0;
  let peak = 0;
  let hwm = 0;
  let last = 0;
  let samples = 0;
  const take = () => {
    const rss = statusKiB(pid, 'VmRSS');
    if (rss === null) return;
    if (samples++ === 0) start = rss;
    last = rss;
    peak = Math.max(peak, rss);
    hwm = Math.max(hwm, statusKiB(pid, 'VmHWM') ?? 0);
  };
  take();
  const timer = setInterval(take, everyMs);
  const mib = (kib: number) => Math.round((kib / 1024) * 10) / 10;
  return {
    stop() {
      take();
      clearInterval(timer);
      return {
        startRssMiB: mib(start),
        peakRssMiB: mib(peak),
        hwmMiB: mib(hwm),
        lastRssMiB: mib(last),
        samples,
      };
    },
  };
}

/**
 * CPU time a process has used so far (user + system), in ms, from /proc. On a machine others
 * share, a process's CPU per unit of work is steadier than its wall-clock rate.
 */
export function cpuMillis(pid: number): number {
  // Fields after the command's closing parenthesis: utime and stime are the 12th and 13th.
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const ticks = Number(fields[11]) + Number(fields[12]);
  return (ticks * 1000) / 100;
}
