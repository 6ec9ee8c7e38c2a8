import type { DeliveryOutcome, HealthEffect } from '@renraku/db';

// How much a failed mail weighs on the address it went to, by one rule whether the relay refused
// it at once (the dispatcher's send path) or a delivery status notification reported it later
// (bounce intake).

/** Hard makes the address dead at once; soft counts towards failing and dead. */
export type FailureSeverity = Extract<HealthEffect, 'hard' | 'soft'>;

/**
 * Permanent failures that say nothing against the address itself: a full mailbox, a message
 * too big, a relay that gave up after days. They count as soft bounces like any 4.x.x.
 */
const SOFT_PERMANENT = new Set(['5.2.2', '5.3.4', '5.4.7']);

/**
 * Hard (the address is dead at once) or soft (counted) by RFC 3463 class. A carrier's domain
 * filter (5.7.x) is hard: mail stops until the parent fixes the filter and registers again,
 * which is what the leaflet tells parents to do.
 */
export function bounceSeverity(status: string): FailureSeverity {
  return status.startsWith('5.') && !SOFT_PERMANENT.has(status) ? 'hard' : 'soft';
}

/** RFC 2034: the enhanced status code follows the reply code on each line of the reply. */
const ENHANCED_STATUS = /^(?:\d{3}[ -])?([245])\.(\d{1,3})\.(\d{1,3})(?=\s|$)/m;

/**
 * RFC 3463 subjects that blame the recipient: 1 addressing (no such user, no such domain),
 * 2 mailbox (disabled, full).
 */
const RECIPIENT_SUBJECTS = new Set(['1', '2']);

/**
 * The enhanced status of a reply when it blames the recipient, else null. Decision: a relay
 * refuses at once for reasons of its own too (relay access denied 5.7.1, authentication,
 * content, a reply without an enhanced code): those must never weigh on addresses, or one
 * misconfigured relay would kill every address it refused in a single send.
 */
function recipientStatus(text: string): string | null {
  const match = ENHANCED_STATUS.exec(text);
  if (!match || !RECIPIENT_SUBJECTS.has(match[2]!)) return null;
  return `${match[1]}.${match[2]}.${match[3]}`;
}

/** The weight of the relay's refusal of one recipient; null unless a 5xx blames the recipient. */
export function rejectionSeverity(code: number | null, text: string): FailureSeverity | null {
  if (code === null || code < 500 || code > 599) return null;
  const status = recipientStatus(text);
  return status ? bounceSeverity(status) : null;
}

/**
 * What a delivery stored as failed does to its address, given the outcome that failed it: a
 * refusal as rejectionSeverity weighs it, 4xx retries that ran out on a recipient's problem
 * (4.2.2 mailbox full) as one soft bounce; no reply (lost connection, our own error) and
 * unsent failures (address removed, undecryptable) count nothing.
 */
export function sendFailureSeverity(
  outcome: Pick<DeliveryOutcome, 'attempted' | 'code' | 'text'>,
): FailureSeverity | null {
  const { attempted, code } = outcome;
  if (!attempted || code === null) return null;
  if (code >= 400 && code < 500) return recipientStatus(outcome.text ?? '') ? 'soft' : null;
  return rejectionSeverity(code, outcome.text ?? '');
}
