import type { WebContext } from './context';

/** How long /healthz waits for the database before calling it down. */
const PING_TIMEOUT_MS = 2000;

export type DependencyState = 'up' | 'down';

/** The body of GET /healthz; load balancers read the status code, people read this. */
export interface HealthReport {
  status: 'ok' | 'unavailable';
  dependencies: {
    database: { state: DependencyState; driver: WebContext['dbHandle']['driver'] };
    bus: { state: DependencyState; kind: WebContext['bus']['kind'] };
  };
}

async function databaseState(ctx: WebContext): Promise<DependencyState> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => reject(new Error('database ping timed out')), PING_TIMEOUT_MS);
  });
  try {
    await Promise.race([ctx.dbHandle.ping(), timeout]);
    return 'up';
  } catch (error) {
    ctx.logger.warn({ err: error }, 'health check: database is down');
    return 'down';
  } finally {
    clearTimeout(timer);
  }
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
