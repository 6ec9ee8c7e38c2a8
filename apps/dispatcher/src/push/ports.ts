import type { PushOptions, PushPayload } from './payload';
import type { PushReply } from './reply';

// The push side's port, beside the Mailer: the dispatcher needs only the push service's answer
// to each push, so tests and the bench can run it against a mock service.

/** A browser's PushSubscription as it hands it over (RFC 8291 keys, base64url). */
export interface PushSubscription {
  endpoint: string;
  keys: { p256dh: string; auth: string };
}

/** Sends one encrypted push; never throws: every failure is a reply for judgePushReply. */
export interface PushSender {
  send(
    subscription: PushSubscription,
    payload: PushPayload,
    options: PushOptions,
  ): Promise<PushReply>;
  close(): Promise<void>;
}
