import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  PUSH_OPTIONS,
  PUSH_RESPONSE_MAX_BYTES,
  createWebPushSender,
  judgePushReply,
  pushPayload,
  type PushSender,
  type PushSettings,
} from '@renraku/dispatcher/push';
import { startMockPushService, vapidKeys, type MockPushService } from './mock-push-service';

// The whole send of one push through a mock push service on this host: the payload as the
// phone decrypts it, the VAPID JWT, the delivery options, and each kind of answer as the
// dispatcher will judge it. No database: the sender stands alone until the claim loop uses it.

const vapid = { ...vapidKeys(), subject: 'mailto:renraku@example.jp' };
const settings: PushSettings = {
  vapid,
  concurrencyPerService: 3,
  timeoutMs: 2000,
  allowLoopback: true,
};
const retry = { maxAttempts: 8, retryBaseMs: 60_000, retryMaxMs: 3_600_000 };

const message = {
  id: 41,
  category: 'emergency_contact' as const,
  subject: '臨時休校',
  body: '大雪のため本日は臨時休校とします。\n詳細は追ってお知らせします。',
};
const payload = pushPayload(message, 'https://renraku.example.jp/c/abc123');
const emergency = PUSH_OPTIONS.emergency_contact;

let mock: MockPushService;
let other: MockPushService;
const senders: PushSender[] = [];
const sender = (
  overrides: Partial<PushSettings> = {},
  resolve?: Parameters<typeof createWebPushSender>[1],
) => {
  const created = createWebPushSender({ ...settings, ...overrides }, resolve);
  senders.push(created);
  return created;
};

beforeAll(async () => {
  mock = await startMockPushService({ vapidPublicKey: vapid.publicKey });
  other = await startMockPushService({ vapidPublicKey: vapid.publicKey });
});
afterEach(async () => {
  mock.release();
  other.release();
  await Promise.all(senders.splice(0).map((s) => s.close()));
});
afterAll(async () => {
  await Promise.all([mock.close(), other.close()]);
});

const judge = (reply: Parameters<typeof judgePushReply>[0], ttlSeconds = emergency.ttlSeconds) =>
  judgePushReply(reply, { attemptsBefore: 0, ttlSeconds }, retry, Date.now(), () => 0.5);

describe('a push through the mock push service', () => {
  it('201: the phone decrypts the notification, and the VAPID JWT names the service', async () => {
    const subscription = mock.subscribe();
    const reply = await sender().send(subscription, payload, emergency);
    expect(reply.status).toBe(201);
    expect(judge(reply)).toEqual({ kind: 'accepted' });
    const id = subscription.endpoint.split('/').pop();
    const received = mock.received.filter((push) => push.subscription === id);
    expect(received).toHaveLength(1);
    expect(JSON.parse(received[0]!.payload)).toEqual({
      title: '【緊急連絡】臨時休校',
      body: '大雪のため本日は臨時休校とします。',
      url: 'https://renraku.example.jp/c/abc123',
      tag: 'message-41',
    });
    expect(received[0]!.claims).toMatchObject({ aud: mock.origin, sub: vapid.subject });
    expect(mock.rejected).toEqual([]);
  });

  it('asks for urgency and TTL by category', async () => {
    const urgent = mock.subscribe();
    const news = mock.subscribe();
    const push = sender();
    await push.send(urgent, payload, PUSH_OPTIONS.emergency_info);
    await push.send(news, payload, PUSH_OPTIONS.education_info);
    const headersOf = (endpoint: string) => {
      const found = mock.received.find((r) => r.subscription === endpoint.split('/').pop());
      return { ttl: found?.ttl, urgency: found?.urgency };
    };
    expect(headersOf(urgent.endpoint)).toEqual({ ttl: '86400', urgency: 'high' });
    expect(headersOf(news.endpoint)).toEqual({ ttl: '259200', urgency: 'normal' });
  });

  it('a push signed with another VAPID key is refused by the service, so the mock checks', async () => {
    const stranger = { ...vapidKeys(), subject: vapid.subject };
    const subscription = mock.subscribe();
    const reply = await sender({ vapid: stranger }).send(subscription, payload, emergency);
    expect(reply.status).toBe(403);
    expect(judge(reply)).toEqual({ kind: 'failed' });
    expect(mock.rejected.map((r) => r.reason)).toContain('another vapid key');
  });

  it('410: the subscription is gone', async () => {
    const reply = await sender().send(mock.subscribe({ status: 410 }), payload, emergency);
    expect(judge(reply)).toEqual({ kind: 'gone' });
  });

  it('429 with Retry-After: retried after the delay the service asked for', async () => {
    const subscription = mock.subscribe({ status: 429, retryAfter: '120' });
    const reply = await sender().send(subscription, payload, emergency);
    expect(reply).toMatchObject({ status: 429, retryAfter: '120' });
    expect(judge(reply)).toEqual({ kind: 'retry', retryInMs: 120_000 });
  });

  it('500: retried with the dispatcher backoff', async () => {
    const reply = await sender().send(mock.subscribe({ status: 500 }), payload, emergency);
    expect(judge(reply)).toEqual({ kind: 'retry', retryInMs: retry.retryBaseMs });
  });

  it('400 and 413 fail', async () => {
    const push = sender();
    for (const status of [400, 413]) {
      const reply = await push.send(mock.subscribe({ status }), payload, emergency);
      expect(judge(reply)).toEqual({ kind: 'failed' });
    }
  });

  it('a service that does not answer times out, and the push is retried', async () => {
    const reply = await sender({ timeoutMs: 200 }).send(
      mock.subscribe({ hold: true }),
      payload,
      emergency,
    );
    expect(reply.status).toBeNull();
    expect(reply.text).toMatch(/no answer within 200 ms/);
    expect(judge(reply)).toEqual({ kind: 'retry', retryInMs: retry.retryBaseMs });
  });

  it('a redirect is not followed, and fails', async () => {
    const target = other.subscribe();
    const reply = await sender().send(
      mock.subscribe({ redirectTo: target.endpoint }),
      payload,
      emergency,
    );
    expect(reply.status).toBe(307);
    expect(judge(reply)).toEqual({ kind: 'failed' });
    expect(other.requests.get(target.endpoint.split('/').pop()!)).toBeUndefined();
  });

  it('an endless answer is cut at the cap', async () => {
    // Far beyond what the loopback socket buffers, so the mock sees the hang-up.
    const huge = 256 * PUSH_RESPONSE_MAX_BYTES;
    const reply = await sender().send(mock.subscribe({ hugeBodyBytes: huge }), payload, emergency);
    expect(reply.status).toBe(201);
    expect(reply.text.length).toBeLessThanOrEqual(200);
    expect(judge(reply)).toEqual({ kind: 'accepted' });
    await expect.poll(() => mock.cutOff).toBe(1);
  });

  it('holds the bound per push service, and another service is not held up by it', async () => {
    const push = sender();
    const before = mock.received.length;
    mock.maxInFlight = 0;
    const sends = Array.from({ length: 8 }, () =>
      push.send(mock.subscribe({ hold: true }), payload, emergency),
    );
    await mock.whenInFlight(3);
    // A round trip to another service while the first holds three: it is not queued behind them.
    expect((await push.send(other.subscribe(), payload, emergency)).status).toBe(201);
    expect(mock.inFlight).toBe(3);
    mock.release();
    const replies = await Promise.all(sends);
    expect(replies.map((reply) => reply.status)).toEqual(Array(8).fill(201));
    expect(mock.received.length - before).toBe(8);
    expect(mock.maxInFlight).toBe(3);
  });
});

describe('addresses the sender refuses', () => {
  const strict = () => sender({ allowLoopback: false });
  const refusedBefore = (service: MockPushService) =>
    [...service.requests.values()].reduce((a, b) => a + b, 0);

  it('without the test setting: http, and a loopback address over https', async () => {
    const before = refusedBefore(mock);
    const subscription = mock.subscribe();
    const overHttp = await strict().send(subscription, payload, emergency);
    expect(overHttp).toMatchObject({ status: null, refused: true });
    expect(overHttp.text).toMatch(/not_https/);
    const overHttps = await strict().send(
      { ...subscription, endpoint: subscription.endpoint.replace('http:', 'https:') },
      payload,
      emergency,
    );
    expect(overHttps).toMatchObject({ status: null, refused: true });
    // The mock's own port is refused first: push services listen on 443.
    expect(overHttps.text).toMatch(/port/);
    expect(judge(overHttps)).toEqual({ kind: 'failed' });
    // 127.0.0.1 on 443, and its other spellings: the same address once the URL is parsed.
    for (const host of [
      '127.0.0.1',
      '2130706433',
      '0x7f.0.0.1',
      '127.1',
      '[::1]',
      '[::ffff:7f00:1]',
    ]) {
      const reply = await strict().send(
        { ...subscription, endpoint: `https://${host}/push/x` },
        payload,
        emergency,
      );
      expect(reply, host).toMatchObject({ status: null, refused: true });
      expect(reply.text, host).toMatch(/private_host/);
    }
    expect(refusedBefore(mock)).toBe(before);
  });

  it('private, link-local and metadata literals, even with the test setting', async () => {
    const { keys } = mock.subscribe();
    for (const host of ['10.0.0.8', '192.168.1.1', '169.254.169.254', '[fd00:ec2::254]']) {
      const reply = await sender().send(
        { endpoint: `https://${host}/push/x`, keys },
        payload,
        emergency,
      );
      expect(reply, host).toMatchObject({ status: null, refused: true });
    }
    // Under the test setting http is for loopback literals only, never a name that resolves there.
    const named = await sender().send(
      { endpoint: 'http://localhost/push/x', keys },
      payload,
      emergency,
    );
    expect(named).toMatchObject({ refused: true });
    expect(named.text).toMatch(/not_https/);
  });

  it('a name whose DNS answer points inward is refused when the connection is made', async () => {
    const { keys } = mock.subscribe();
    const answers: Record<string, string[]> = {
      'metadata.push.example': ['169.254.169.254'],
      'mixed.push.example': ['93.184.216.34', '10.1.2.3'],
    };
    const resolve: Parameters<typeof createWebPushSender>[1] = async (hostname) => {
      const found = answers[hostname];
      if (!found) throw new Error(`getaddrinfo ENOTFOUND ${hostname}`);
      return found;
    };
    for (const host of Object.keys(answers)) {
      const reply = await sender({ allowLoopback: false }, resolve).send(
        { endpoint: `https://${host}/push/x`, keys },
        payload,
        emergency,
      );
      expect(reply, host).toMatchObject({ status: null, refused: true });
      expect(reply.text).toMatch(/private_host/);
    }
    // A name that does not resolve is a network error like any other: retried, not refused.
    const unknown = await sender({ allowLoopback: false }, resolve).send(
      { endpoint: 'https://unknown.push.example/push/x', keys },
      payload,
      emergency,
    );
    expect(unknown).toMatchObject({ status: null, refused: false });
    expect(judge(unknown)).toEqual({ kind: 'retry', retryInMs: retry.retryBaseMs });
  });

  it('a malformed subscription is refused before anything is sent', async () => {
    const before = refusedBefore(mock);
    const { endpoint, keys } = mock.subscribe();
    const bad = [
      { endpoint: 'not a url', keys },
      { endpoint, keys: { ...keys, p256dh: keys.p256dh.slice(0, 40) } },
      { endpoint, keys: { ...keys, auth: 'short' } },
    ];
    for (const subscription of bad) {
      const reply = await sender().send(subscription, payload, emergency);
      expect(reply, JSON.stringify(subscription.keys)).toMatchObject({
        status: null,
        refused: true,
      });
    }
    expect(refusedBefore(mock)).toBe(before);
  });
});
