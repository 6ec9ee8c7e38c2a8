import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import express, { type RequestHandler } from 'express';
import { createConfirmationRecorder, createTappedPages } from '@renraku/core/confirmation';
import type { WebContext, WebStartContext } from './context';
import { checkHealth } from './health';
import { createWebMailer } from './mailer';
import { createWebMetrics, UNCOUNTED } from './metrics';
import { createMetricsRegistry, startMetricsServer } from '@renraku/shared/metrics';
import { startHousekeeping } from './housekeeping';
import { createWindowLimit } from './rate-limit';
import { attachSockets } from './sockets';
import { forwardToSvelteKit, loadSvelteKitHandler } from './sveltekit';

export { loadWebEnv, type WebEnv } from './env';
export type { WebContext, WebStartContext } from './context';

/** In-flight requests get this long to finish at shutdown before their connections are cut. */
const SHUTDOWN_GRACE_MS = 5000;

/**
 * No page may be framed by another site (a framed compose page could be clicked into sending
 * to the whole city), no content type guessed, and no URL (tokens in links) sent elsewhere.
 */
const securityHeaders: RequestHandler = (_req, res, next) => {
  res.set({
    'x-frame-options': 'DENY',
    'content-security-policy': "frame-ancestors 'none'",
    'x-content-type-options': 'nosniff',
    'referrer-policy': 'same-origin',
  });
  next();
};

export interface RunningWeb {
  server: Server;
  /** The port actually listened on (useful with PORT=0). */
  port: number;
  /** Stops serving; the database, bus and outbox belong to the caller and stay open. */
  close(): Promise<void>;
}

/**
 * The web process: Express with /healthz, Socket.IO and the SvelteKit app on one HTTP
 * server. It uses the context's database and bus and never opens its own, so the embedded
 * start can share them with the dispatcher.
 */
export async function startWeb({ registry, ...given }: WebStartContext): Promise<RunningWeb> {
  const ownMailer = given.mailer ? undefined : createWebMailer(given.env, given.logger);
  // Nothing is counted when nothing is served: no collector runs beside every request.
  const metrics = registry ?? (given.env.metrics ? createMetricsRegistry() : undefined);
  let socketClients = () => 0;
  const ctx: WebContext = {
    ...given,
    mailer: given.mailer ?? ownMailer,
    confirmations: createConfirmationRecorder(given),
    tappedPages: createTappedPages(given),
    confirmTapLimit: createWindowLimit(given.env.confirmTapsPerMinute, 60_000),
    metrics: metrics ? createWebMetrics(metrics, () => socketClients()) : UNCOUNTED,
  };
  const svelteKit = await loadSvelteKitHandler(ctx.env.attachmentMaxBytes);
  const app = express();
  app.disable('x-powered-by');
  app.set('trust proxy', ctx.env.trustProxy);
  app.use(securityHeaders);

  app.get('/healthz', async (_req, res) => {
    const report = await checkHealth(ctx);
    res
      .status(report.status === 'ok' ? 200 : 503)
      .set('cache-control', 'no-store')
      .json(report);
  });
  app.use(forwardToSvelteKit(ctx), svelteKit);

  const server = createServer(app);
  const sockets = await attachSockets(ctx, server);
  socketClients = () => sockets.io.engine.clientsCount;
  try {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(ctx.env.port, () => {
        server.off('error', reject);
        resolve();
      });
    });
  } catch (error) {
    // Port taken, say: release the Redis adapter's connections before reporting it.
    await sockets.close();
    throw error;
  }
  const stopHousekeeping = startHousekeeping(ctx);
  // A shared registry is served by whoever shared it (the embedded start).
  const metricsServer =
    !registry && metrics && ctx.env.metrics
      ? await startMetricsServer(ctx.env.metrics, metrics)
      : undefined;

  return {
    server,
    port: (server.address() as AddressInfo).port,
    async close() {
      stopHousekeeping();
      await metricsServer?.close();
      const cut = setTimeout(() => server.closeAllConnections(), SHUTDOWN_GRACE_MS);
      try {
        await sockets.close();
        // Taps still queued are written before the owner closes the database.
        await ctx.confirmations.close();
      } finally {
        clearTimeout(cut);
        ownMailer?.close();
      }
    },
  };
}
