import { createDb } from '@renraku/db';
import { createInProcessBus, createRedisBus } from '@renraku/shared/bus';
import { deriveKeys } from '@renraku/shared/crypto';
import { createLogger } from '@renraku/shared/logger';
import { runMain, stopOnSignals } from '@renraku/shared/process';
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
    keys: deriveKeys(env.secretKey, env.secretKeyPrevious),
    logger,
  });
  logger.info({ port: web.port, url: env.publicUrl, database: dbHandle.driver }, 'web started');

  stopOnSignals(logger, async () => {
    await web.close();
    await Promise.all([bus.close(), dbHandle.close()]);
  });
}

runMain(main);
