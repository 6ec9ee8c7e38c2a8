import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { TestDatabase } from '@renraku/db/testing';
import { createInProcessBus, type Bus } from '@renraku/shared/bus';
import { deriveKeys } from '@renraku/shared/crypto';
import { createLogger, type DestinationStream } from '@renraku/shared/logger';
import { loadWebEnv, startWeb, type WebStartContext } from '../../apps/web/server/index';

// Every integration suite starts the built web the same way production does (startWeb), so the
// start-up lives here once: port 0, the test file's own database, quiet logs.

const handlerFile = fileURLToPath(new URL('../../apps/web/build/handler.js', import.meta.url));

export type RunningWeb = Awaited<ReturnType<typeof startWeb>>;

/** How a test web is set up: `env` adds settings (SMTP_URL, REDIS_URL, …) or replaces defaults. */
export interface TestWebOptions {
  bus?: Bus;
  env?: Record<string, string>;
  logName?: string;
  /** Where the web's log lines go (at debug level); none are written without it. */
  logDestination?: DestinationStream;
}

/** The context startWeb takes: port 0, `database`, the given bus (in process by default). */
export function testWebContext(
  database: TestDatabase,
  options: TestWebOptions = {},
): WebStartContext {
  const env = loadWebEnv({
    PORT: '0',
    PUBLIC_URL: 'http://renraku.test',
    SECRET_KEY: 's'.repeat(40),
    DATABASE_URL: database.url,
    LOG_LEVEL: 'silent',
    ...options.env,
  });
  return {
    env,
    db: database.handle.db,
    dbHandle: database.handle,
    bus: options.bus ?? createInProcessBus(),
    keys: deriveKeys(env.secretKey),
    logger: createLogger(
      options.logName ?? 'web-test',
      options.logDestination ? 'debug' : 'silent',
      options.logDestination,
    ),
  };
}

/** The web as startWeb runs it, serving the built app with testWebContext's settings. */
export async function startTestWeb(
  database: TestDatabase,
  options: TestWebOptions = {},
): Promise<{ web: RunningWeb; base: string; ctx: WebStartContext }> {
  if (!existsSync(handlerFile)) {
    throw new Error(`${handlerFile} is missing: run \`pnpm --filter @renraku/web build\` first.`);
  }
  const ctx = testWebContext(database, options);
  const web = await startWeb(ctx);
  return { web, base: `http://127.0.0.1:${web.port}`, ctx };
}
