import { Agent, request } from 'node:http';
import { performance } from 'node:perf_hooks';

// The families' taps as their phones send them: one form POST per personal link, a new one
// as soon as an answer comes back, `concurrency` at a time over kept-alive connections (a
// load generator of its own: autocannon cannot give each request its own URL and body
// cheaply). Each tap says which client address it comes from (X-Forwarded-For, the web
// trusting its loopback proxy), as a carrier's gateway would.

export interface Tap {
  path: string;
  choice: number;
  clientAddress: string;
}

export interface TapRun {
  sent: number;
  /** Answers by HTTP status. */
  statuses: Record<number, number>;
  /** Network or socket errors (no answer at all). */
  errors: number;
  ms: number;
  /** Every tap's latency in ms, sorted. */
  latencies: Float64Array;
  /** performance.now() when the last answer arrived. */
  lastAnsweredAt: number;
}

/** One tap's form POST; resolves with the answer's HTTP status. */
export function postTap(agent: Agent, base: URL, tap: Tap): Promise<number> {
  const body = `choice=${tap.choice}`;
  return new Promise((resolve, reject) => {
    const req = request(
      {
        agent,
        host: base.hostname,
        port: base.port,
        method: 'POST',
        path: tap.path,
        headers: {
          'content-type': 'application/x-www-form-urlencoded',
          'content-length': Buffer.byteLength(body),
          origin: base.origin,
          'x-forwarded-for': tap.clientAddress,
        },
      },
      (res) => {
        res.on('data', () => {});
        res.on('end', () => resolve(res.statusCode ?? 0));
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

export async function sendTaps(base: string, taps: readonly Tap[], concurrency: number) {
  const agent = new Agent({ keepAlive: true, maxSockets: concurrency });
  const url = new URL(base);
  const latencies = new Float64Array(taps.length);
  const statuses: Record<number, number> = {};
  let errors = 0;
  let next = 0;
  let lastAnsweredAt = 0;
  const started = performance.now();
  const worker = async () => {
    for (let i = next++; i < taps.length; i = next++) {
      const at = performance.now();
      try {
        const status = await postTap(agent, url, taps[i]!);
        statuses[status] = (statuses[status] ?? 0) + 1;
      } catch {
        errors++;
      }
      lastAnsweredAt = performance.now();
      latencies[i] = lastAnsweredAt - at;
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  agent.destroy();
  return {
    sent: taps.length,
    statuses,
    errors,
    ms: performance.now() - started,
    latencies: latencies.sort(),
    lastAnsweredAt,
  } satisfies TapRun;
}
