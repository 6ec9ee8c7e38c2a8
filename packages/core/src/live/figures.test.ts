import { describe, expect, it } from 'vitest';
import type { ConfirmationFigures } from '@renraku/shared';
import {
  applyConfirmationDelta,
  diffConfirmation,
  PACE_SAMPLES,
  sendPace,
  shownMessageState,
} from './figures';

describe('sendPace', () => {
  const start = Date.parse('2026-04-07T08:00:00+09:00');

  it('reads the pace since the start in the first seconds (33 % after 3 s is not 0/s)', () => {
    const pace = sendPace({
      settled: 10_000,
      pending: 20_000,
      origin: { at: start, settled: 0 },
      now: start + 3_000,
      samples: [3_000, 4_000],
    });
    expect(pace.perSecond).toBeCloseTo(3_333.3, 1);
    expect(pace.etaSeconds).toBe(6);
  });

  it('reads the last five seconds once it has them', () => {
    const pace = sendPace({
      settled: 500,
      pending: 1_000,
      origin: { at: start, settled: 0 },
      now: start + 100_000,
      samples: [0, 0, 100, 100, 100, 100, 100],
    });
    expect(PACE_SAMPLES).toBe(5);
    expect(pace.perSecond).toBe(100);
    expect(pace.etaSeconds).toBe(10);
  });

  it('has no pace before anything settled, and no time left once nothing is pending', () => {
    expect(
      sendPace({ settled: 0, pending: 30, origin: { at: start, settled: 0 }, now: start + 5_000 }),
    ).toEqual({ perSecond: null, etaSeconds: null });
    expect(sendPace({ settled: 0, pending: 30, origin: null, now: start })).toEqual({
      perSecond: null,
      etaSeconds: null,
    });
    // A clock behind the start (another machine's) gives no pace rather than a negative one.
    expect(
      sendPace({ settled: 9, pending: 1, origin: { at: start, settled: 0 }, now: start - 1 })
        .perSecond,
    ).toBeNull();
    const finished = sendPace({
      settled: 30,
      pending: 0,
      origin: { at: start, settled: 0 },
      now: start + 10_000,
    });
    expect(finished).toEqual({ perSecond: 3, etaSeconds: 0 });
  });
});

describe('shownMessageState', () => {
  it('never reads done while the viewer still has mail to send', () => {
    expect(shownMessageState('done', { accepted: 5, deferred: 1 })).toBe('sending');
    expect(shownMessageState('done', { accepted: 5, delayed: 1 })).toBe('done');
    expect(shownMessageState('queued', { queued: 4, accepted: 1 })).toBe('sending');
    expect(shownMessageState('queued', { queued: 4 })).toBe('queued');
    expect(shownMessageState('cancelled', {})).toBe('cancelled');
  });
});

describe('diffConfirmation and applyConfirmationDelta', () => {
  const before: ConfirmationFigures = {
    total: { unconfirmed: 5, answers: { 0: 2 } },
    bySchool: { 1: { unconfirmed: 5, answers: { 0: 2 } } },
    byClass: { 11: { unconfirmed: 3, answers: { 0: 2 } }, 12: { unconfirmed: 2, answers: {} } },
  };
  const after: ConfirmationFigures = {
    total: { unconfirmed: 3, answers: { 2: 2, 0: 2 } },
    bySchool: { 1: { unconfirmed: 3, answers: { 0: 2, 2: 2 } } },
    byClass: {
      11: { unconfirmed: 3, answers: { 0: 2 } },
      12: { unconfirmed: 0, answers: { 2: 2 } },
    },
  };

  it('carries only what changed, and applying it gives the next read', () => {
    const delta = diffConfirmation(before, after);
    expect(delta).toEqual({
      total: { unconfirmed: -2, answers: { 2: 2 } },
      bySchool: { 1: { unconfirmed: -2, answers: { 2: 2 } } },
      byClass: { 12: { unconfirmed: -2, answers: { 2: 2 } } },
    });
    const figures = structuredClone(before);
    applyConfirmationDelta(figures, delta!);
    expect(figures).toEqual(after);
  });

  it('drops an answer that went back to zero (a changed answer), so figures equal a snapshot', () => {
    const changed: ConfirmationFigures = {
      ...after,
      total: { unconfirmed: 3, answers: { 0: 4 } },
    };
    const figures = structuredClone(after);
    applyConfirmationDelta(figures, diffConfirmation(after, changed)!);
    expect(figures.total).toEqual({ unconfirmed: 3, answers: { 0: 4 } });
  });

  it('is null when nothing changed', () => {
    expect(diffConfirmation(after, structuredClone(after))).toBeNull();
  });
});
