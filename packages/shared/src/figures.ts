import {
  DELIVERY_STATES,
  FAILED_DELIVERY_STATES,
  PENDING_DELIVERY_STATES,
  REACHED_DELIVERY_STATES,
  type DeliveryState,
} from './domain';
import type { StateCounts } from './events';

// The figures staff read, each defined once for every page, the API and the SQL that feeds
// them: how many mails reached, failed or are still pending, and how a share is rounded.

/** Sum of the counts over the given states (all states when none given). */
export function countOf(
  counts: StateCounts,
  states: readonly DeliveryState[] = DELIVERY_STATES,
): number {
  return states.reduce((sum, state) => sum + (counts[state] ?? 0), 0);
}

/** Mails that reached the carrier (REACHED_DELIVERY_STATES). */
export function reachedOf(counts: StateCounts): number {
  return countOf(counts, REACHED_DELIVERY_STATES);
}

/** Mails that will not reach the family (FAILED_DELIVERY_STATES). */
export function failedOf(counts: StateCounts): number {
  return countOf(counts, FAILED_DELIVERY_STATES);
}

/** The mails among a part's counts: its total less its pushes (ProgressFigures.pushed). */
export function mailedOf(total: StateCounts, pushed: StateCounts): StateCounts {
  const mailed: StateCounts = {};
  for (const state of DELIVERY_STATES) {
    const n = (total[state] ?? 0) - (pushed[state] ?? 0);
    if (n !== 0) mailed[state] = n;
  }
  return mailed;
}

/** Deliveries no dispatcher still has to send: accepted, delivered, delayed, failed, bounced. */
export function settledOf(counts: StateCounts): number {
  return countOf(counts) - countOf(counts, PENDING_DELIVERY_STATES);
}

/**
 * A share in percent with one decimal, rounded down: 100.0 % only when every one is in, and
 * never more than the truth (29 of 30 households is 96.6 %, not 96.7 %). Null without a whole.
 * The one rounding rule of 登録率 and of the overview's reach.
 */
export function percentOf(part: number, whole: number): number | null {
  if (whole <= 0) return null;
  // Integer arithmetic first, so that 0.29 × 1000 cannot come out as 289.99….
  return Math.floor((Math.max(0, Math.min(part, whole)) * 1000) / whole) / 10;
}

/** "96.6%", or "—" when there is nothing to measure. */
export function formatPercent(part: number, whole: number): string {
  const percent = percentOf(part, whole);
  return percent === null ? '—' : `${percent.toFixed(1)}%`;
}
