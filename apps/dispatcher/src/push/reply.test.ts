import { describe, expect, it } from 'vitest';
import { judgePushReply, retryAfterMs, type PushReply } from './reply';

const settings = { maxAttempts: 3, retryBaseMs: 60_000, retryMaxMs: 3_600_000 };
const now = Date.parse('2026-01-15T08:00:00Z');
const day = { attemptsBefore: 0, ttlSeconds: 86_400 };
const judge = (reply: PushReply, attempt = day) =>
  judgePushReply(reply, attempt, settings, now, () => 0.5);
const status = (code: number | null, retryAfter?: string): PushReply => ({
  status: code,
  retryAfter,
  text: '',
});

describe('retryAfterMs', () => {
  it('reads delay-seconds and HTTP dates, and nothing else', () => {
    expect(retryAfterMs('120', now)).toBe(120_000);
    expect(retryAfterMs(' 0 ', now)).toBe(0);
    expect(retryAfterMs('Thu, 15 Jan 2026 08:05:00 GMT', now)).toBe(300_000);
    expect(retryAfterMs('Thu, 15 Jan 2026 07:00:00 GMT', now)).toBe(0);
    expect(retryAfterMs(undefined, now)).toBeNull();
    expect(retryAfterMs('soon', now)).toBeNull();
    expect(retryAfterMs('-5', now)).toBeNull();
  });
});

describe('judgePushReply', () => {
  it('accepts 2xx, and 404 / 410 mean the subscription is gone', () => {
    for (const code of [200, 201, 202]) expect(judge(status(code))).toEqual({ kind: 'accepted' });
    for (const code of [404, 410]) expect(judge(status(code))).toEqual({ kind: 'gone' });
  });

  it('fails 400, 413, other 4xx and redirects', () => {
    for (const code of [301, 307, 400, 401, 403, 413]) {
      expect(judge(status(code)), String(code)).toEqual({ kind: 'failed' });
    }
  });

  it('retries 429, 5xx and no answer with the backoff, or after the Retry-After given', () => {
    for (const code of [429, 500, 503, null]) {
      expect(judge(status(code))).toEqual({ kind: 'retry', retryInMs: 60_000 });
    }
    expect(judge(status(500), { ...day, attemptsBefore: 1 })).toEqual({
      kind: 'retry',
      retryInMs: 120_000,
    });
    expect(judge(status(429, '30'))).toEqual({ kind: 'retry', retryInMs: 30_000 });
    expect(judge(status(503, 'Thu, 15 Jan 2026 09:00:00 GMT'))).toEqual({
      kind: 'retry',
      retryInMs: 3_600_000,
    });
  });

  it('fails when the attempts run out, or the service asks to wait past the TTL', () => {
    expect(judge(status(429, '30'), { ...day, attemptsBefore: 2 })).toEqual({ kind: 'failed' });
    expect(judge(status(429, String(86_400 + 1)))).toEqual({ kind: 'failed' });
    expect(judge(status(429, '86400'))).toEqual({ kind: 'retry', retryInMs: 86_400_000 });
  });

  it('fails what the sender refused to send, whatever else it says', () => {
    expect(judge({ status: null, text: 'not an https endpoint', refused: true })).toEqual({
      kind: 'failed',
    });
  });
});
