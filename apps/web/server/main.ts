import { createDb } from '@renraku/db';
import { createInProcessBus, createRedisBus } from '@renraku/shared/bus';
import { deriveKeys } from '@renraku/shared/crypto';
import { ConfigError } from '@renraku/shared/env';
import { createLogger } from '@renraku/shared/logger';
import { loadWebEnv } from './env';
import { startWeb } from './index';

// `pnpm start:web`: the web process on its own, as production runs it (several may run
// against one PostgreSQL and one Redis).

async function main(): Promise<void> {
  const env = loadWebEnv(process.env);
  const logger = createLogger('web', env.logLevel);
  const dbHandle = await createDb({ url: env.databaseUrl, dataDir: env.dataDir });
  await dbHandle.migrate();
  const bus = env.redisUrl
    ? await createRedisBus(env.redisUrl, (error) => logger.warn({ err: error }, 'redis bus'))
    : createInProcessBus();
  const web = await startWeb({
    env,
    db: dbHandle.db,
    dbHandle,
    bus,
    keys: deriveKeys(env.secretKey),
    logger,
  });
  logger.info({ port: web.port, url: env.publicUrl, database: dbHandle.driver }, 'web started');

  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'web stopping');
    web
      .close()
      .then(() => Promise.all([bus.close(), dbHandle.close()]))
      .then(
        () => process.exit(0),
        (error: unknown) => {
          logger.error({ err: error }, 'web did not stop cleanly');
          process.exit(1);
        },
      );
  };
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
}

main().catch((error: unknown) => {
  console.error(error instanceof ConfigError ? error.message : error);
  process.exit(1);
});
