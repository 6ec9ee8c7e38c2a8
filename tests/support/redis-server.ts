import { spawn } from 'node:child_process';
import { createRedisBus, type Bus } from '@renraku/shared/bus';
import { freePort } from './ports';

// A redis-server of the test's own (never the machine's shared one), for tests that kill Redis
// or must own every channel and room on it.

/** The private server, and the buses connected to it (closed with it). */
export interface PrivateRedis {
  url: string;
  /** A bus on this server, retried while redis-server is still starting. */
  connect(): Promise<Bus>;
  /** Kills redis-server at once, as a crash would. */
  kill(): void;
  /** Closes every bus `connect` made, then kills the server. */
  close(): Promise<void>;
}

/** Spawns redis-server on a free port of 127.0.0.1, without persistence. */
export async function startPrivateRedis(): Promise<PrivateRedis> {
  const port = await freePort();
  const server = spawn(
    'redis-server',
    ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'],
    { stdio: 'ignore' },
  );
  const url = `redis://127.0.0.1:${port}`;
  const buses: Bus[] = [];
  return {
    url,
    async connect() {
      for (let tries = 0; ; tries++) {
        try {
          const bus = await createRedisBus(url);
          buses.push(bus);
          return bus;
        } catch (error) {
          if (tries > 50) throw error;
          await new Promise((resolve) => setTimeout(resolve, 100));
        }
      }
    },
    kill: () => server.kill('SIGKILL'),
    async close() {
      await Promise.all(buses.map((bus) => bus.close()));
      server.kill('SIGKILL');
    },
  };
}
