import { judgeReply, type RetrySettings } from '../judge';

// What a push service's answer means for the delivery (RFC 8030 §5, RFC 8292 §4.2). The sender
// only reports the answer; the decision is made here once, as judgeReply does for SMTP.

/** A push service's answer; status null when none came (no connection, timeout, refused). */
export interface PushReply {
  status: number | null;
  /** The Retry-After header of a 429 or 5xx, as sent. */
  retryAfter?: string | undefined;
  /** The reason or the start of the body, for the log; never the endpoint. */
  text: string;
  /** The endpoint resolved to an address the guard refuses: trying again changes nothing. */
  refused?: boolean;
}

/**
 * accepted: the service took it. gone: the subscription no longer exists, so the caller
 * removes it as it does a dead address. retry: after retryInMs. failed: for good.
 */
export type PushOutcome =
  | { kind: 'accepted' }
  | { kind: 'gone' }
  | { kind: 'retry'; retryInMs: number }
  | { kind: 'failed' };

/** Milliseconds a Retry-After asks for (delay-seconds or an HTTP date), or null without one. */
export function retryAfterMs(value: string | undefined, now: number): number | null {
  const text = value?.trim() ?? '';
  if (/^\d+$/.test(text)) return Number(text) * 1000;
  // RFC 9110's IMF-fixdate only: Date.parse takes far more ("-5" is a year).
  if (!/^[A-Z][a-z]{2}, \d{2} [A-Z][a-z]{2} \d{4} \d{2}:\d{2}:\d{2} GMT$/.test(text)) return null;
  const date = Date.parse(text);
  return Number.isNaN(date) ? null : Math.max(0, date - now);
}

/** The delivery this attempt belongs to: its earlier attempts and how long the push lives. */
export interface PushAttempt {
  attemptsBefore: number;
  ttlSeconds: number;
}

/**
 * 2xx accepted (201 is the rule, 202 and 200 are sent by some services); 404 and 410 gone;
 * 429, 5xx and no answer retried with the dispatcher's backoff, or after the service's
 * Retry-After when it gave one, until the attempts run out; any other answer (400, 413, other
 * 4xx, and a redirect, which is never followed) fails. Decision: a Retry-After beyond the push's
 * TTL fails it, since the service would drop the notification before it could be sent.
 */
export function judgePushReply(
  reply: PushReply,
  attempt: PushAttempt,
  settings: RetrySettings,
  now: number = Date.now(),
  random: () => number = Math.random,
): PushOutcome {
  const { status } = reply;
  if (reply.refused) return { kind: 'failed' };
  if (status !== null && status >= 200 && status < 300) return { kind: 'accepted' };
  if (status === 404 || status === 410) return { kind: 'gone' };
  if (status !== null && status !== 429 && !(status >= 500 && status < 600)) {
    return { kind: 'failed' };
  }
  const backoff = judgeReply(
    { code: null, text: reply.text },
    attempt.attemptsBefore,
    settings,
    random,
  );
  if (backoff.retryInMs === null) return { kind: 'failed' };
  const asked = retryAfterMs(reply.retryAfter, now);
  if (asked === null) return { kind: 'retry', retryInMs: backoff.retryInMs };
  return asked > attempt.ttlSeconds * 1000
    ? { kind: 'failed' }
    : { kind: 'retry', retryInMs: asked };
}
