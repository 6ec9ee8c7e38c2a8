import {
  type AnswerCounts,
  type ConfirmationFigures,
  countOf,
  DELIVERY_STATES,
  inPart,
  type MessagePart,
  type CountCell,
  PENDING_DELIVERY_STATES,
  type DeliveryState,
  type MessageState,
  type ProgressDelta,
  type ProgressFigures,
  type StateCounts,
} from '@renraku/shared';

// Counting for the live dashboard, shared by the server (which derives deltas from successive
// PostgreSQL reads) and the browser (which applies them). Client-safe; no I/O.

function add(target: StateCounts, state: DeliveryState, n: number): void {
  const next = (target[state] ?? 0) + n;
  if (next === 0) delete target[state];
  else target[state] = next;
}

/** Figures of nothing yet: a dashboard's start, and a delta that changes no count. */
export function noFigures(): ProgressFigures {
  return { total: {}, bySchool: {}, byClass: {}, pushed: {} };
}

/** The figures of a part of the message (a scope's: a teacher only its class); {} for all. */
export function figuresOf(cells: readonly CountCell[], part: MessagePart): ProgressFigures {
  const figures = noFigures();
  for (const cell of cells) {
    if (!inPart(part, cell)) continue;
    add(figures.total, cell.state, cell.n);
    if (cell.channel === 'push') add(figures.pushed, cell.state, cell.n);
    if (cell.schoolId !== null) add((figures.bySchool[cell.schoolId] ??= {}), cell.state, cell.n);
    if (cell.classId !== null) add((figures.byClass[cell.classId] ??= {}), cell.state, cell.n);
  }
  return figures;
}

function diffCounts(before: StateCounts = {}, after: StateCounts = {}): StateCounts | null {
  const delta: StateCounts = {};
  let changed = false;
  for (const state of DELIVERY_STATES) {
    const d = (after[state] ?? 0) - (before[state] ?? 0);
    if (d !== 0) {
      delta[state] = d;
      changed = true;
    }
  }
  return changed ? delta : null;
}

/** The changed groups (schools or classes) of two reads, each by its own `diff`. */
function diffGroups<T>(
  before: Record<number, T>,
  after: Record<number, T>,
  diff: (before: T | undefined, after: T | undefined) => T | null,
): Record<number, T> {
  const delta: Record<number, T> = {};
  for (const key of new Set([...Object.keys(before), ...Object.keys(after)])) {
    const id = Number(key);
    const d = diff(before[id], after[id]);
    if (d) delta[id] = d;
  }
  return delta;
}

/** What changed from one read to the next; null when nothing did. */
export function diffFigures(
  before: ProgressFigures,
  after: ProgressFigures,
): ProgressFigures | null {
  const total = diffCounts(before.total, after.total);
  const bySchool = diffGroups(before.bySchool, after.bySchool, diffCounts);
  const byClass = diffGroups(before.byClass, after.byClass, diffCounts);
  const pushed = diffCounts(before.pushed, after.pushed);
  const empty = Object.keys(bySchool).length === 0 && Object.keys(byClass).length === 0;
  return total || pushed || !empty
    ? { total: total ?? {}, bySchool, byClass, pushed: pushed ?? {} }
    : null;
}

function addAll(target: StateCounts, delta: StateCounts): void {
  for (const state of DELIVERY_STATES) {
    const n = delta[state];
    if (n) add(target, state, n);
  }
}

/** Applies a delta to figures in place (the browser's side of the protocol). */
export function applyDelta(
  figures: ProgressFigures,
  delta: Pick<ProgressDelta, keyof ProgressFigures>,
): void {
  addAll(figures.total, delta.total);
  addAll(figures.pushed, delta.pushed);
  for (const [key, counts] of Object.entries(delta.bySchool)) {
    addAll((figures.bySchool[Number(key)] ??= {}), counts);
  }
  for (const [key, counts] of Object.entries(delta.byClass)) {
    addAll((figures.byClass[Number(key)] ??= {}), counts);
  }
}

function diffAnswers(
  before: AnswerCounts | undefined,
  after: AnswerCounts | undefined,
): AnswerCounts | null {
  const unconfirmed = (after?.unconfirmed ?? 0) - (before?.unconfirmed ?? 0);
  const answers: Record<string, number> = {};
  for (const key of new Set([
    ...Object.keys(before?.answers ?? {}),
    ...Object.keys(after?.answers ?? {}),
  ])) {
    const d = (after?.answers[key] ?? 0) - (before?.answers[key] ?? 0);
    if (d !== 0) answers[key] = d;
  }
  return unconfirmed !== 0 || Object.keys(answers).length > 0 ? { unconfirmed, answers } : null;
}

/** What changed in the answers from one read to the next; null when nothing did. */
export function diffConfirmation(
  before: ConfirmationFigures,
  after: ConfirmationFigures,
): ConfirmationFigures | null {
  const total = diffAnswers(before.total, after.total);
  const bySchool = diffGroups(before.bySchool, after.bySchool, diffAnswers);
  const byClass = diffGroups(before.byClass, after.byClass, diffAnswers);
  const empty = Object.keys(bySchool).length === 0 && Object.keys(byClass).length === 0;
  return total || !empty
    ? { total: total ?? { unconfirmed: 0, answers: {} }, bySchool, byClass }
    : null;
}

function addAnswers(target: AnswerCounts, delta: AnswerCounts): void {
  target.unconfirmed += delta.unconfirmed;
  for (const [key, n] of Object.entries(delta.answers)) {
    const next = (target.answers[key] ?? 0) + n;
    if (next === 0) delete target.answers[key];
    else target.answers[key] = next;
  }
}

/** Minutes the dashboard's confirmation series covers; later answers count in its last. */
export const CONFIRMATION_SERIES_MINUTES = 24 * 60;

/** Applies an answers delta in place (the browser's side, like applyDelta). */
export function applyConfirmationDelta(
  figures: ConfirmationFigures,
  delta: ConfirmationFigures,
): void {
  addAnswers(figures.total, delta.total);
  for (const [key, counts] of Object.entries(delta.bySchool)) {
    addAnswers((figures.bySchool[Number(key)] ??= { unconfirmed: 0, answers: {} }), counts);
  }
  for (const [key, counts] of Object.entries(delta.byClass)) {
    addAnswers((figures.byClass[Number(key)] ??= { unconfirmed: 0, answers: {} }), counts);
  }
}

// Defined once in @renraku/shared, for the SQL, the API and every component alike.
export { countOf, failedOf, reachedOf, settledOf } from '@renraku/shared';

/**
 * The state staff read: a message reads 配信完了 (done) only when nothing is left to send in
 * the viewer's counts, and 配信中 once its first mails went, whatever state lags behind.
 */
export function shownMessageState(state: MessageState, counts: StateCounts): MessageState {
  const pending = countOf(counts, PENDING_DELIVERY_STATES);
  if (state === 'done' && pending > 0) return 'sending';
  if (state === 'queued' && pending > 0 && countOf(counts) > pending) return 'sending';
  return state;
}

/** Where a send's pace is measured from: its start (nothing settled yet) or a first reading. */
export interface PaceOrigin {
  at: number;
  settled: number;
}

/** Samples (settled mails per second) that make a current pace: the last five seconds. */
export const PACE_SAMPLES = 5;

/**
 * Mails settled per second and the seconds still needed. The last PACE_SAMPLES seconds once
 * the page has watched that long; before that (and on the server) the average since the
 * origin, so that a send at 33 % after three seconds reads its real pace, not 0件/秒.
 */
export function sendPace(input: {
  settled: number;
  pending: number;
  origin: PaceOrigin | null;
  now: number;
  samples?: readonly number[];
}): { perSecond: number | null; etaSeconds: number | null } {
  const samples = input.samples ?? [];
  let perSecond: number | null = null;
  if (input.pending > 0 && samples.length >= PACE_SAMPLES) {
    const recent = samples.slice(-PACE_SAMPLES);
    perSecond = recent.reduce((a, b) => a + b, 0) / recent.length;
  } else if (input.origin && input.now > input.origin.at && input.settled > input.origin.settled) {
    perSecond = (input.settled - input.origin.settled) / ((input.now - input.origin.at) / 1000);
  }
  if (input.pending === 0) return { perSecond, etaSeconds: 0 };
  const etaSeconds = perSecond && perSecond > 0 ? Math.ceil(input.pending / perSecond) : null;
  return { perSecond, etaSeconds };
}
