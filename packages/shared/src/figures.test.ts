import { describe, expect, it } from 'vitest';
import {
  countOf,
  failedOf,
  formatPercent,
  percentOf,
  reachedOf,
  settledOf,
  REACHED_DELIVERY_STATES,
} from './index';

describe('percentOf / formatPercent (the one rounding rule of 登録率)', () => {
  it.each([
    [29, 30, 96.6, '96.6%'],
    [1, 3, 33.3, '33.3%'],
    [2, 3, 66.6, '66.6%'],
    [29, 100, 29, '29.0%'],
    [57, 100, 57, '57.0%'],
    [999, 1000, 99.9, '99.9%'],
    [29_999, 30_000, 99.9, '99.9%'],
    [30_000, 30_000, 100, '100.0%'],
    [0, 12, 0, '0.0%'],
  ])('%i of %i is %f (%s)', (part, whole, percent, text) => {
    expect(percentOf(part, whole)).toBe(percent);
    expect(formatPercent(part, whole)).toBe(text);
  });

  it('never reads 100 % while one household is missing', () => {
    for (const whole of [200, 1999, 30_000, 1_000_000]) {
      expect(percentOf(whole - 1, whole)).toBeLessThan(100);
    }
  });

  it('has nothing to say without a whole, and clamps impossible parts', () => {
    expect(percentOf(0, 0)).toBeNull();
    expect(formatPercent(3, 0)).toBe('—');
    expect(percentOf(-1, 10)).toBe(0);
    expect(percentOf(11, 10)).toBe(100);
  });
});

describe('reached, failed and settled counts', () => {
  const counts = {
    queued: 1,
    sending: 2,
    deferred: 3,
    accepted: 10,
    delivered: 20,
    delayed: 4,
    bounced: 5,
    failed: 6,
  };

  it('reached is accepted + delivered; delayed is still on its way', () => {
    expect([...REACHED_DELIVERY_STATES]).toEqual(['accepted', 'delivered']);
    expect(reachedOf(counts)).toBe(30);
    expect(failedOf(counts)).toBe(11);
    expect(settledOf(counts)).toBe(45);
    expect(countOf(counts)).toBe(51);
    expect(reachedOf({})).toBe(0);
  });
});
