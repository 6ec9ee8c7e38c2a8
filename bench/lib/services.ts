import type { Db } from '@renraku/db';
import { createTestDatabase, type TestDatabase } from '@renraku/db/testing';
import { createRedisBus, type Bus } from '@renraku/shared/bus';
import { deriveKeys, type Keys } from '@renraku/shared/crypto';
import { freePort, killAllChildren, startRedis, type Child, type ServiceUrls } from './processes';

// What every bench section shares: a PostgreSQL database made for the run (dropped at the
// end), a private Redis the drills may restart, the installation's keys and a bus client.

export const BENCH_SECRET_KEY = 'bench-secret-key-0123456789abcdef0123456789';

export interface BenchServices {
  db: Db;
  keys: Keys;
  /** The bench's own bus connection: it hears `messageFinished` like a dashboard would. */
  bus: Bus;
  redisUrl: string;
  /** Environment for a dispatcher or web child that sends to `smtpUrl`. */
  urls(smtpUrl: string): ServiceUrls;
  /** Stops Redis (SIGKILL, as a crash) and returns a function that starts it again. */
  crashRedis(): Promise<() => Promise<void>>;
  close(): Promise<void>;
}

export async function startServices(): Promise<BenchServices> {
  const database: TestDatabase = await createTestDatabase();
  const port = await freePort();
  let redis: Child = await startRedis(port);
  const redisUrl = `redis://127.0.0.1:${port}`;
  const bus = await createRedisBus(redisUrl);
  return {
    db: database.handle.db,
    keys: deriveKeys(BENCH_SECRET_KEY),
    bus,
    redisUrl,
    urls: (smtpUrl) => ({
      databaseUrl: database.url,
      redisUrl,
      smtpUrl,
      secretKey: BENCH_SECRET_KEY,
    }),
    async crashRedis() {
      await redis.stop('SIGKILL');
      return async () => {
        redis = await startRedis(port);
      };
    },
    async close() {
      await bus.close();
      await redis.stop();
      await database.drop();
    },
  };
}

/**
 * Ctrl-C (or SIGTERM) mid-run kills every process the bench started and drops its database,
 * instead of leaving a 1,000,000-row database behind; each step is given a few seconds at most.
 */
export function cleanUpOnInterrupt(steps: (() => Promise<unknown>)[]): void {
  const onSignal = (signal: NodeJS.Signals) => {
    console.log(`\n${signal}: stopping the bench's processes and dropping its database …`);
    killAllChildren();
    const bounded = steps.map((step) =>
      Promise.race([step(), new Promise((resolve) => setTimeout(resolve, 5000))]),
    );
    void Promise.allSettled(bounded).then(() => process.exit(130));
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
}
