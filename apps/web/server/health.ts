import { probeState, type DependencyState } from '@renraku/shared/health';
import type { WebContext } from './context';

/** How long /healthz waits for the database before calling it down. */
const PING_TIMEOUT_MS = 2000;

/** The body of GET /healthz; load balancers read the status code, people read this. */
export interface HealthReport {
  status: 'ok' | 'unavailable';
  dependencies: {
    database: { state: DependencyState; driver: WebContext['dbHandle']['driver'] };
    bus: { state: DependencyState; kind: WebContext['bus']['kind'] };
  };
}

function databaseState(ctx: WebContext): Promise<DependencyState> {
  return probeState(
    () => ctx.dbHandle.ping(),
    PING_TIMEOUT_MS,
    (error) => ctx.logger.warn({ err: error }, 'health check: database is down'),
  );
}

/** Each dependency's state; the web is only healthy when all of them are up. */
export async function checkHealth(ctx: WebContext): Promise<HealthReport> {
  const database = await databaseState(ctx);
  const bus: DependencyState = ctx.bus.isUp() ? 'up' : 'down';
  return {
    status: database === 'up' && bus === 'up' ? 'ok' : 'unavailable',
    dependencies: {
      database: { state: database, driver: ctx.dbHandle.driver },
      bus: { state: bus, kind: ctx.bus.kind },
    },
  };
}
