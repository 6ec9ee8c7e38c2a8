import { sql } from 'drizzle-orm';
import { rowsOf, type Db } from '@renraku/db';
import type { Bus } from '@renraku/shared/bus';
import {
  connected,
  Dashboard,
  openSocket,
  sessionCookie,
  type TestSocket,
} from '../../tests/live/harness';

// Staff dashboards as the browser runs them (the live tests' client: snapshot, then deltas of
// the same stream), each recording when its accepted count rose. The latency of a status
// write is the time from the write (the row's updated_at, set in the writing transaction)
// to the first delta at which a dashboard's accepted count includes that row; and, without
// the write itself, from the first bus event the bench heard (a Redis subscriber like the
// web's bridge) after that write: the event carries only the message, so the row's time
// comes from the database.

interface Receipt {
  at: number;
  accepted: number;
}

export interface Dashboards {
  /** Connects `count` sockets with one board session each and watches the message. */
  watch(messageId: number): Promise<void>;
  /** Resolves when every dashboard shows `accepted` or times out; returns the wait in ms. */
  allShow(accepted: number, timeoutMs: number): Promise<number | null>;
  /** Every latency in ms over all dashboards and accepted rows, sorted; see above. */
  latencies(messageId: number): Promise<{ fromWrite: Float64Array; fromBus: Float64Array }>;
  /** What each dashboard shows now, by state. */
  totals(): Record<string, number>[];
  close(): void;
}

export async function openDashboards(
  db: Db,
  bus: Bus,
  base: string,
  staffUserId: number,
  count: number,
): Promise<Dashboards> {
  const sockets: TestSocket[] = [];
  const boards: { dashboard: Dashboard; receipts: Receipt[] }[] = [];
  for (let i = 0; i < count; i++) {
    const socket = openSocket(base, await sessionCookie(db, staffUserId));
    sockets.push(socket);
  }
  await Promise.all(sockets.map(connected));
  // When each bus event reached the bench, in order; an event names only its message.
  const heard: number[] = [];
  const unsubscribe = await bus.subscribe('messageChanged', () => heard.push(Date.now()));
  return {
    async watch(messageId) {
      for (const socket of sockets) {
        const dashboard = new Dashboard(socket, messageId);
        const receipts: Receipt[] = [];
        // Registered after the dashboard's own listener: it sees the delta applied.
        socket.on('progress:delta', () =>
          receipts.push({ at: Date.now(), accepted: dashboard.figures.total.accepted ?? 0 }),
        );
        boards.push({ dashboard, receipts });
      }
      const results = await Promise.all(boards.map(({ dashboard }) => dashboard.start()));
      const refused = results.find((result) => !result.ok);
      if (refused && !refused.ok) throw new Error(`dashboard refused: ${refused.error}`);
    },
    async allShow(accepted, timeoutMs) {
      const started = Date.now();
      while (boards.some(({ dashboard }) => (dashboard.figures.total.accepted ?? 0) < accepted)) {
        if (Date.now() - started > timeoutMs) return null;
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
      return Date.now() - started;
    },
    async latencies(messageId) {
      const writes = rowsOf<{ id: number | string; at: number | string }>(
        await db.execute(sql`select id, extract(epoch from updated_at) * 1000 as at
          from deliveries where message_id = ${messageId} and state = 'accepted'
          order by updated_at, id`),
      );
      // The dispatcher announces a write after its commit: the first event heard after the
      // row's write time is the one for its batch (or a concurrent one, as early or earlier).
      const firstHeardAfter = (at: number) => {
        let [lo, hi] = [0, heard.length];
        while (lo < hi) {
          const mid = (lo + hi) >> 1;
          if (heard[mid]! < at) lo = mid + 1;
          else hi = mid;
        }
        return heard[lo];
      };
      const fromWrite = new Float64Array(writes.length * boards.length);
      const fromBus = new Float64Array(writes.length * boards.length);
      let [w, b] = [0, 0];
      for (const { receipts } of boards) {
        let r = 0;
        writes.forEach((row, i) => {
          while (r < receipts.length && receipts[r]!.accepted < i + 1) r++;
          const receipt = receipts[r];
          if (!receipt) return;
          fromWrite[w++] = receipt.at - Number(row.at);
          const announced = firstHeardAfter(Number(row.at));
          if (announced !== undefined && announced <= receipt.at)
            fromBus[b++] = receipt.at - announced;
        });
      }
      return { fromWrite: fromWrite.subarray(0, w).sort(), fromBus: fromBus.subarray(0, b).sort() };
    },
    totals: () => boards.map(({ dashboard }) => ({ ...dashboard.figures.total })),
    close() {
      for (const socket of sockets) socket.disconnect();
      void unsubscribe();
    },
  };
}

/** The q-quantile (0..1) of sorted values. */
export function quantile(sorted: Float64Array, q: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
}
