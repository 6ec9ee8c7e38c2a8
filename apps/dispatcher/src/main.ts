import { createDb, queueFigures } from '@renraku/db';
import { createInProcessBus, createRedisBus } from '@renraku/shared/bus';
import { deriveKeys } from '@renraku/shared/crypto';
import { ConfigError } from '@renraku/shared/env';
import { createLogger } from '@renraku/shared/logger';
import { createMetricsRegistry, startMetricsServer } from '@renraku/shared/metrics';
import { stopOnSignals } from '@renraku/shared/process';
import { resolveSecretKey } from '@renraku/shared/secret';
import { busWhenConnected } from './bus';
import { loadDispatcherEnv, type DispatcherEnv } from './env';
import { healthChecker, startHealthServer } from './health';
import { createDispatcherMetrics, startDispatcher, startInbound } from './index';

// `pnpm start:dispatcher`: the dispatcher as its own process, as many as the sending needs.

function loadEnv(): DispatcherEnv {
  try {
    return loadDispatcherEnv(process.env);
  } catch (error) {
    if (error instanceof ConfigError) {
      console.error(error.message);
      process.exit(1);
    }
    throw error;
  }
}

const env = loadEnv();
const logger = createLogger('dispatcher', env.logLevel);
const database = await createDb({ url: env.databaseUrl, dataDir: env.dataDir });
await database.migrate();
let lastBusError = 0;
const bus = env.redisUrl
  ? busWhenConnected(
      createRedisBus(env.redisUrl, (error) => {
        // Reconnection attempts fail every second or two while Redis is down: log now and then.
        if (Date.now() - lastBusError < 30_000) return;
        lastBusError = Date.now();
        logger.warn({ err: error }, 'redis unavailable; sending goes on, dashboards catch up');
      }),
    )
  : createInProcessBus();
const keys = deriveKeys(
  resolveSecretKey({
    SECRET_KEY: env.secretKey,
    DATABASE_URL: env.databaseUrl,
    DATA_DIR: env.dataDir,
  }),
  env.secretKeyPrevious,
);
// Nothing is counted when nothing is served.
const registry = env.metrics ? createMetricsRegistry() : undefined;
const metrics = registry && createDispatcherMetrics(registry, database.db);
const dispatcher = await startDispatcher({ env, db: database.db, bus, keys, logger, metrics });
const inbound = await startInbound({ env, db: database.db, bus, keys, logger, metrics });
const metricsServer =
  env.metrics && registry ? await startMetricsServer(env.metrics, registry) : undefined;
if (metricsServer) logger.info({ port: metricsServer.port }, 'metrics listening');
logger.info({ port: inbound.port }, 'inbound SMTP listening');
const health = env.health
  ? await startHealthServer(
      env.health,
      healthChecker({
        database,
        bus,
        smtpUrl: env.smtpUrl,
        mailDomain: env.mailDomain,
        logger,
        queue: {
          oldestDueSeconds: async () => (await queueFigures(database.db)).oldestDueSeconds,
          limitSeconds: env.maxQueueAgeSeconds,
        },
      }),
    )
  : undefined;
if (health) logger.info({ port: health.port }, 'health endpoint listening');

stopOnSignals(logger, async () => {
  await health?.close();
  await metricsServer?.close();
  await Promise.all([inbound.close(), dispatcher.stop()]);
  await bus.close();
  await database.close();
});
