import { describe, expect, it } from 'vitest';
import { createWindowLimit } from './rate-limit';

describe('createWindowLimit', () => {
  it('allows `limit` events per key in a window, counts keys apart, and starts again after it', () => {
    let clock = 1_000;
    const limit = createWindowLimit(3, 60_000, () => clock);
    expect([1, 2, 3, 4].map(() => limit.allow('198.51.100.7'))).toEqual([true, true, true, false]);
    expect(limit.allow('203.0.113.9')).toBe(true);
    clock += 59_999;
    expect(limit.allow('198.51.100.7')).toBe(false);
    clock += 1;
    expect(limit.allow('198.51.100.7')).toBe(true);
  });
});
