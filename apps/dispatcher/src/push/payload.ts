import { finalSubject, type MessageCategory } from '@renraku/shared';

// What a push carries and how the push service is asked to deliver it. A notification shows
// a title and a line or two; the rest of the message is one tap away on the page the URL opens,
// so the payload stays small (push services take 4 KB of encrypted record at most).

/** The message fields a notification is made from. */
export interface PushMessage {
  id: number;
  category: MessageCategory;
  subject: string;
  body: string;
}

/** The JSON the service worker shows: the same title as the mail's subject. */
export interface PushPayload {
  title: string;
  body: string;
  /** The inbox or the delivery's confirmation page: where a tap on the notification goes. */
  url: string;
  /** One notification per message: a re-sent push replaces the earlier one on the phone. */
  tag: string;
}

/**
 * Characters of the body's first line a notification carries: more than a phone shows
 * folded, and with the longest subject (100 characters) the JSON stays near 1 KB.
 */
export const PUSH_BODY_LINE_MAX = 120;

/** The body's first line, cut on a character (never inside a surrogate pair) when too long. */
export function firstLine(body: string): string {
  const line = (body.split('\n')[0] ?? '').trim();
  const characters = Array.from(line);
  return characters.length > PUSH_BODY_LINE_MAX
    ? `${characters.slice(0, PUSH_BODY_LINE_MAX - 1).join('')}…`
    : line;
}

/** The notification of one message, for the page at `url`. */
export function pushPayload(message: PushMessage, url: string): PushPayload {
  return {
    title: finalSubject(message.category, message.subject),
    body: firstLine(message.body),
    url,
    tag: `message-${message.id}`,
  };
}

/** RFC 8030 §5.3: how eagerly the push service wakes the phone. */
export type PushUrgency = 'very-low' | 'low' | 'normal' | 'high';

/** Delivery options of a push: RFC 8030 TTL (seconds the service keeps it) and Urgency. */
export interface PushOptions {
  ttlSeconds: number;
  urgency: PushUrgency;
}

const HOUR = 3600;

/**
 * Emergencies wake the phone at once and are not worth showing after a day (the school will
 * have sent an update by then). Decision: education news goes at normal urgency and is kept
 * three days, so that a phone switched off over a weekend still gets Friday's notice.
 */
export const PUSH_OPTIONS: Readonly<Record<MessageCategory, PushOptions>> = {
  emergency_contact: { ttlSeconds: 24 * HOUR, urgency: 'high' },
  emergency_info: { ttlSeconds: 24 * HOUR, urgency: 'high' },
  education_info: { ttlSeconds: 72 * HOUR, urgency: 'normal' },
};
