import { Counter, Gauge, Histogram, type Registry } from 'prom-client';

// The web process's own metrics, beside Node's (createMetricsRegistry): how long each SvelteKit
// route takes, how many live dashboards are connected, and the families' confirmation taps.

export interface WebMetrics {
  /** One answered request: its SvelteKit route id (never the path: tokens are in paths). */
  request(route: string, method: string, status: number, seconds: number): void;
  /** One tap's end: recorded, refused by the service, or over the per-address limit. */
  tap(outcome: 'recorded' | 'refused' | 'limited'): void;
}

/** The metrics of a web whose metrics nobody scrapes (METRICS_PORT unset): nothing. */
export const UNCOUNTED: WebMetrics = { request() {}, tap() {} };

/** Seconds: a page should take tens of milliseconds, a tap's batch a few more. */
const LATENCY_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5];

export function createWebMetrics(registry: Registry, socketClients: () => number): WebMetrics {
  const requests = new Histogram({
    name: 'renraku_http_request_duration_seconds',
    help: 'SvelteKit requests by route, method and status class',
    labelNames: ['route', 'method', 'status'],
    buckets: LATENCY_BUCKETS,
    registers: [registry],
  });
  new Gauge({
    name: 'renraku_socket_clients',
    help: 'Socket.IO clients connected to this web process',
    registers: [registry],
    collect() {
      this.set(socketClients());
    },
  });
  const taps = new Counter({
    name: 'renraku_confirmation_taps_total',
    help: 'Families’ taps on their confirmation page, by outcome',
    labelNames: ['outcome'],
    registers: [registry],
  });
  return {
    request(route, method, status, seconds) {
      requests.observe({ route, method, status: `${Math.floor(status / 100)}xx` }, seconds);
    },
    tap: (outcome) => taps.inc({ outcome }),
  };
}
