// Web Push, the second channel of a message: what a push carries, how it is sent, and what the
// push service's answer means.
export {
  PUSH_BODY_LINE_MAX,
  PUSH_OPTIONS,
  firstLine,
  pushPayload,
  type PushMessage,
  type PushOptions,
  type PushPayload,
  type PushUrgency,
} from './payload';
export type { PushSender, PushSubscription } from './ports';
export {
  judgePushReply,
  retryAfterMs,
  type PushAttempt,
  type PushOutcome,
  type PushReply,
} from './reply';
export {
  PUSH_RESPONSE_MAX_BYTES,
  createWebPushSender,
  type PushSettings,
  type VapidSettings,
} from './sender';
