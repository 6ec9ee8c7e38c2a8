import { createDb } from '@renraku/db';
import { DEMO_LOGINS, seedDemo } from '@renraku/db/seed';
import {
  createDispatcherMetrics,
  startCatcher,
  startDispatcher,
  startInbound,
} from '@renraku/dispatcher';
import { createMetricsRegistry, startMetricsServer } from '@renraku/shared/metrics';
import { createInProcessBus, createRedisBus } from '@renraku/shared/bus';
import { deriveKeys } from '@renraku/shared/crypto';
import { createLogger } from '@renraku/shared/logger';
import { runMain, stopOnSignals } from '@renraku/shared/process';
import { startWeb } from '@renraku/web';
import { loadEmbeddedEnv } from './env';

// `pnpm start`: web, dispatcher, inbound SMTP and (without SMTP_URL) the mail catcher in one
// process, on PGlite and an in-process bus unless DATABASE_URL / REDIS_URL say otherwise.
// Seeds the demo district into an empty database and prints where everything is.

async function main(): Promise<void> {
  const config = loadEmbeddedEnv();
  const checked = config.check();
  const logger = createLogger('renraku', checked.logLevel);

  const dbHandle = await createDb({ url: checked.databaseUrl, dataDir: checked.dataDir });
  await dbHandle.migrate();
  const bus = checked.redisUrl
    ? await createRedisBus(checked.redisUrl, (error) => logger.warn({ err: error }, 'redis bus'))
    : createInProcessBus();

  const catcher = config.smtpUrl ? undefined : await startCatcher({ port: 0 });
  const smtpUrl = config.smtpUrl ?? `smtp://127.0.0.1:${catcher?.port}`;
  const webEnv = config.web(smtpUrl);
  const dispatcherEnv = config.dispatcher(smtpUrl);
  const keys = deriveKeys(webEnv.secretKey, webEnv.secretKeyPrevious);

  const seeded = await seedDemo(dbHandle.db, { keys, mailDomain: webEnv.mailDomain });
  // One registry for the whole process, served once: the web's and the dispatcher's metrics.
  const registry = webEnv.metrics ? createMetricsRegistry() : undefined;
  const metrics = registry && createDispatcherMetrics(registry, dbHandle.db);
  const sending = { env: dispatcherEnv, db: dbHandle.db, bus, keys, logger, metrics };
  const dispatcher = await startDispatcher(sending);
  const inbound = await startInbound(sending);
  const web = await startWeb({
    env: webEnv,
    db: dbHandle.db,
    dbHandle,
    bus,
    keys,
    logger,
    ...(registry && { registry }),
    ...(catcher ? { outbox: catcher.outbox } : {}),
  });

  const lines = [
    '',
    `Renraku is running (${dbHandle.driver === 'pglite' ? `PGlite in ${webEnv.dataDir}` : 'PostgreSQL'}, ${bus.kind} bus).`,
    `  Web:          ${webEnv.publicUrl}/`,
    `  Staff login:  ${webEnv.publicUrl}/staff/login`,
    `  Health:       ${webEnv.publicUrl}/healthz`,
    catcher
      ? `  Sent mail:    ${webEnv.publicUrl}/dev/outbox  (built-in catcher, nothing leaves this machine)`
      : `  Relay:        ${new URL(smtpUrl).host}`,
    `  Inbound SMTP: 127.0.0.1:${inbound.port}  e.g. swaks --server 127.0.0.1:${inbound.port} --to reg-chuosho@${webEnv.mailDomain} --from parent@docomo.ne.jp`,
    '',
    seeded.seeded ? 'Demo district seeded. Logins:' : 'Demo logins (if this is the demo database):',
    ...DEMO_LOGINS.map(
      (login) => `  ${login.login.padEnd(22)} ${login.password.padEnd(14)} ${login.scope}`,
    ),
    '',
  ];
  const metricsServer =
    webEnv.metrics && registry ? await startMetricsServer(webEnv.metrics, registry) : undefined;
  if (metricsServer)
    lines.push(`  Metrics:      http://${webEnv.metrics?.host}:${metricsServer.port}/metrics`, '');
  console.log(lines.join('\n'));

  stopOnSignals(logger, async () => {
    await metricsServer?.close();
    await web.close();
    await Promise.all([inbound.close(), dispatcher.stop()]);
    await Promise.all([catcher?.close(), bus.close()]);
    await dbHandle.close();
  });
}

runMain(main);
