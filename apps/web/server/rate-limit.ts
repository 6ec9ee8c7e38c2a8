// The families' confirmation taps are limited per client address in the process, not in
// PostgreSQL: the shared rate_limits row of one carrier address would take a row lock and a
// commit per tap, the very cost the batched recorder avoids at 1,000 taps/s. The limit protects
// this process (each web process has its own), so counting here is enough.

/** Counts events per key in fixed windows; at most `limit` per key and window are allowed. */
export interface WindowLimit {
  allow(key: string): boolean;
}

export function createWindowLimit(
  limit: number,
  windowMs: number,
  now: () => number = Date.now,
): WindowLimit {
  let counts = new Map<string, number>();
  let windowEndsAt = now() + windowMs;
  return {
    allow(key) {
      const at = now();
      // One map per window, dropped whole: memory stays bounded by one window's clients.
      if (at >= windowEndsAt) {
        counts = new Map();
        windowEndsAt = at + windowMs;
      }
      const hits = (counts.get(key) ?? 0) + 1;
      counts.set(key, hits);
      return hits <= limit;
    },
  };
}
