import { performance } from 'node:perf_hooks';
import {
  PUSH_OPTIONS,
  createWebPushSender,
  pushPayload,
  type PushSettings,
} from '@renraku/dispatcher/push';
import { startMockPushService, vapidKeys } from '../../tests/push/mock-push-service';

// Pushes per second: `count` subscriptions of the tests' mock push service, each sent one
// emergency push through the dispatcher's sender, all handed over at once so that only the
// per-service bound limits them. The mock runs in this process and decrypts every push and
// checks its JWT, so the figure is the sender's and the mock's work together on the cores.

export interface PushBenchResult {
  pushes: number;
  accepted: number;
  /** Pushes the mock decrypted; equal to `accepted` unless something went wrong. */
  received: number;
  seconds: number;
  pushesPerSecond: number;
  /** Most pushes the mock held in flight at once: the per-service bound when it is reached. */
  maxInFlight: number;
}

export async function benchPushes({
  count,
  concurrencyPerService = 32,
}: {
  count: number;
  concurrencyPerService?: number;
}): Promise<PushBenchResult> {
  const vapid = { ...vapidKeys(), subject: 'mailto:bench@renraku.test' };
  const mock = await startMockPushService({ vapidPublicKey: vapid.publicKey });
  const settings: PushSettings = {
    vapid,
    concurrencyPerService,
    timeoutMs: 10_000,
    allowLoopback: true,
  };
  const sender = createWebPushSender(settings);
  try {
    const subscriptions = Array.from({ length: count }, () => mock.subscribe());
    const payload = pushPayload(
      {
        id: 1,
        category: 'emergency_contact',
        subject: '臨時休校',
        body: '大雪のため本日は臨時休校とします。\n詳細は追ってお知らせします。',
      },
      'https://renraku.example.jp/account/inbox',
    );
    const started = performance.now();
    const replies = await Promise.all(
      subscriptions.map((subscription) =>
        sender.send(subscription, payload, PUSH_OPTIONS.emergency_contact),
      ),
    );
    const seconds = (performance.now() - started) / 1000;
    return {
      pushes: count,
      accepted: replies.filter((reply) => reply.status === 201).length,
      received: mock.received.length,
      seconds,
      pushesPerSecond: count / seconds,
      maxInFlight: mock.maxInFlight,
    };
  } finally {
    await sender.close();
    await mock.close();
  }
}
