import type { DeliveryOutcome } from '@renraku/db';
import type { SmtpReply } from './ports';

// When a delivery is tried again: the one backoff rule of both channels (a push service's
// answer is judged in push/reply.ts, on top of this).

/** How often and how late a delivery is tried again. */
export interface RetrySettings {
  /** Attempts (4xx or no connection) before a delivery fails for good. */
  maxAttempts: number;
  /** First retry delay, doubled per attempt up to retryMaxMs. */
  retryBaseMs: number;
  retryMaxMs: number;
}

/** What a reply means for the delivery: the SMTP reply classes of RFC 5321. */
export function judgeReply(
  reply: SmtpReply,
  attemptsBefore: number,
  settings: RetrySettings,
  random: () => number = Math.random,
): Pick<DeliveryOutcome, 'state' | 'retryInMs'> {
  const { code } = reply;
  if (code !== null && code >= 200 && code < 300) return { state: 'accepted', retryInMs: null };
  if (code !== null && code >= 500 && code < 600) return { state: 'failed', retryInMs: null };
  // 4xx, no answer at all, or nonsense: try again later, until the attempts run out.
  const attempts = attemptsBefore + 1;
  if (attempts >= settings.maxAttempts) return { state: 'failed', retryInMs: null };
  const backoff = Math.min(settings.retryBaseMs * 2 ** (attempts - 1), settings.retryMaxMs);
  // ±20 % so that a carrier's deferred mails do not all come back in the same second.
  return { state: 'deferred', retryInMs: Math.round(backoff * (0.8 + 0.4 * random())) };
}
