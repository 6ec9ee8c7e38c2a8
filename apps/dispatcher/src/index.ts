import { hostname } from 'node:os';
import { createTransport } from 'nodemailer';
import type { Db } from '@renraku/db';
import type { Bus } from '@renraku/shared/bus';
import { randomToken, type Keys } from '@renraku/shared/crypto';
import type { Logger } from '@renraku/shared/logger';
import { createDrizzleStore, createSmtpMailer, createStatusBus } from './adapters';
import { startChasing } from './chase';
import { startRetention } from './retention';
import { Dispatcher } from './dispatcher';
import { startInboundServer, type InboundServer } from './inbound';
import { pushSettingsOf, type DispatcherEnv } from './env';
import { createWebPushSender } from './push';
import type { DispatcherMetrics } from './metrics';

export { type DispatchSettings } from './dispatcher';
export { loadDispatcherEnv, type DispatcherEnv } from './env';
export { startCatcher, type Catcher, type CatcherOptions } from './catcher';
export { startInboundServer, type InboundServer } from './inbound';
export { createDispatcherMetrics, type DispatcherMetrics } from './metrics';

/** What the process (main.ts or the embedded start) has opened and hands over. */
export interface DispatcherOptions {
  env: DispatcherEnv;
  db: Db;
  bus: Bus;
  keys: Keys;
  logger: Logger;
  /** The process's instruments (createDispatcherMetrics); none counts nothing. */
  metrics?: DispatcherMetrics;
}

/** The handle a process keeps to stop its dispatcher gracefully. */
export interface RunningDispatcher {
  /** Stops claiming, finishes the sends in flight and writes their statuses. */
  stop(): Promise<void>;
}

/**
 * Starts one sending worker on a database and a bus; several may run against one database.
 * It wakes when a message is queued (on the bus) and polls as well, so it needs no bus. It
 * also chases confirming messages at their deadlines (./chase).
 */
export async function startDispatcher({
  env,
  db,
  bus,
  keys,
  logger,
  metrics,
}: DispatcherOptions): Promise<RunningDispatcher> {
  const workerId = `${hostname()}:${process.pid}:${randomToken(6)}`;
  const push = pushSettingsOf(env);
  const dispatcher = new Dispatcher({
    store: createDrizzleStore(db, { workerId, leaseMs: env.dispatch.leaseMs }),
    mailer: createSmtpMailer(env),
    push: push && createWebPushSender(push),
    ...(metrics && { metrics }),
    status: createStatusBus(bus),
    keys,
    logger: logger.child({ workerId }),
    settings: env.dispatch,
    mail: {
      mailDomain: env.mailDomain,
      publicUrl: env.publicUrl,
      featurePhoneDomains: env.featurePhoneDomains,
    },
  });
  // Wake-ups when a message is queued; polling covers a bus that is down or slow to connect.
  let unsubscribe: (() => Promise<void>) | undefined;
  bus
    .subscribe('messageQueued', () => dispatcher.poke())
    .then(
      (stop) => (unsubscribe = stop),
      (error: unknown) => logger.warn({ err: error }, 'no wake-ups from the bus; polling only'),
    );
  dispatcher.start();
  const chasing = startChasing(
    { db, bus, logger: logger.child({ workerId }) },
    env.dispatch.pollMs,
  );
  const retention = startRetention({ db, logger: logger.child({ workerId }), ...env.retention });
  logger.info(
    { workerId, concurrency: env.dispatch.concurrency, push: push !== null },
    'dispatcher started',
  );
  return {
    async stop() {
      await Promise.all([dispatcher.stop(), chasing.stop(), retention.stop()]);
      await unsubscribe?.().catch(() => {});
      logger.info({ workerId }, 'dispatcher stopped');
    },
  };
}

/**
 * Starts the inbound SMTP server (empty registration mails, bounces) with the dispatcher's
 * settings; its replies leave through the same relay as every other mail, and the bounces it
 * reads are announced on the bus when one is given.
 */
export async function startInbound({
  env,
  db,
  bus,
  keys,
  logger,
  metrics,
}: Omit<DispatcherOptions, 'bus'> & { bus?: Bus }): Promise<InboundServer> {
  // Replies go to the same carriers as broadcasts, so they are signed the same way.
  const relay = createTransport({ url: env.smtpUrl, ...(env.dkim && { dkim: env.dkim }) });
  const server = await startInboundServer({
    db,
    keys,
    logger: logger.child({ component: 'inbound' }),
    mailDomain: env.mailDomain,
    publicUrl: env.publicUrl,
    sendReply: (mail) => relay.sendMail(mail),
    featurePhoneDomains: env.featurePhoneDomains,
    status: bus && createStatusBus(bus),
    bus,
    metrics,
    ...env.inbound,
  });
  return {
    port: server.port,
    async close() {
      await server.close();
      relay.close();
    },
  };
}
