import { queueFigures, type Db } from '@renraku/db';
import type { DeliveryChannel, DeliveryState } from '@renraku/shared';
import { Counter, Gauge, Histogram, type Registry } from 'prom-client';

// The dispatcher's metrics, beside Node's own (createMetricsRegistry): what it sent and what
// came back, how long its claims and status writes take, what waits in PostgreSQL (read when
// scraped, so every dispatcher reports the same queue), and what the inbound server took.

export interface DispatcherMetrics {
  /** Deliveries written with this state, by channel and carrier (see carrierLabel). */
  delivered(channel: DeliveryChannel, state: DeliveryState, carrier: string): void;
  /** A relay's reply code (null: no answer), or a push service's HTTP status. */
  replied(channel: DeliveryChannel, code: number | null): void;
  claimSeconds(seconds: number): void;
  flushSeconds(seconds: number): void;
  /** An inbound SMTP reply: the stage (mail, rcpt, data) and the code given. */
  inbound(stage: 'mail' | 'rcpt' | 'data', code: number): void;
  /** A bounce report read, by what it turned out to be. */
  bounce(kind: string): void;
}

const DB_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5];

/**
 * The carrier as a label: the domains the dispatcher has limits for (CARRIER_LIMITS) and the
 * feature-phone carriers, by name, everyone else as `other`, so that a city's thousands of
 * mail domains do not become thousands of series.
 */
export function carrierLabel(known: ReadonlySet<string>, carrierDomain: string): string {
  return known.has(carrierDomain) ? carrierDomain : 'other';
}

function codeClass(code: number | null): string {
  return code === null ? 'none' : `${Math.floor(code / 100)}xx`;
}

export function createDispatcherMetrics(registry: Registry, db: Db): DispatcherMetrics {
  const registers = [registry];
  const deliveries = new Counter({
    name: 'renraku_deliveries_total',
    help: 'Delivery outcomes written, by channel, state and carrier',
    labelNames: ['channel', 'state', 'carrier'],
    registers,
  });
  const replies = new Counter({
    name: 'renraku_replies_total',
    help: 'Replies by channel and class: SMTP codes of the relay, HTTP statuses of push services',
    labelNames: ['channel', 'class'],
    registers,
  });
  const statement = (name: string, help: string) =>
    new Histogram({ name, help, buckets: DB_BUCKETS, registers });
  const claims = statement('renraku_claim_duration_seconds', 'One claim of a batch of deliveries');
  const flushes = statement(
    'renraku_flush_duration_seconds',
    'One write of a batch of delivery outcomes',
  );
  const inbound = new Counter({
    name: 'renraku_inbound_replies_total',
    help: 'Inbound SMTP replies by stage and code: accepted (250) or refused and why',
    labelNames: ['stage', 'code'],
    registers,
  });
  const bounces = new Counter({
    name: 'renraku_bounce_reports_total',
    help: 'Bounce reports read, by kind',
    labelNames: ['kind'],
    registers,
  });
  let queue: ReturnType<typeof queueFigures> | undefined;
  /** One read per scrape for both gauges. */
  const readQueue = () => (queue ??= queueFigures(db).finally(() => (queue = undefined)));
  new Gauge({
    name: 'renraku_deliveries_pending',
    help: 'Deliveries still to send, by channel and state (all dispatchers)',
    labelNames: ['channel', 'state'],
    registers,
    async collect() {
      this.reset();
      for (const row of (await readQueue()).pending) {
        this.set({ channel: row.channel, state: row.state }, row.n);
      }
    },
  });
  new Gauge({
    name: 'renraku_oldest_due_delivery_seconds',
    help: 'How long the oldest delivery that is due has waited; 0 when none is',
    registers,
    async collect() {
      this.set((await readQueue()).oldestDueSeconds ?? 0);
    },
  });
  return {
    delivered: (channel, state, carrier) => deliveries.inc({ channel, state, carrier }),
    replied: (channel, code) => replies.inc({ channel, class: codeClass(code) }),
    claimSeconds: (seconds) => claims.observe(seconds),
    flushSeconds: (seconds) => flushes.observe(seconds),
    inbound: (stage, code) => inbound.inc({ stage, code: String(code) }),
    bounce: (kind) => bounces.inc({ kind }),
  };
}
