import { describe, expect, it } from 'vitest';
import { jstDayOf, jstFormat, jstInstantOf, jstLocalOf } from './jst';

describe('jstInstantOf', () => {
  it('reads a datetime-local value as Japan time', () => {
    const iso = jstInstantOf('2026-04-07T07:00');
    expect(iso).toBe('2026-04-07T07:00:00+09:00');
    expect(new Date(iso!).toISOString()).toBe('2026-04-06T22:00:00.000Z');
  });

  it('refuses what is not a datetime-local value', () => {
    for (const bad of ['', '2026-04-07', '2026-04-07 07:00', '2026-04-07T07:00:00', 'tomorrow']) {
      expect(jstInstantOf(bad)).toBeNull();
    }
  });
});

describe('jstDayOf', () => {
  it('is the Japan day, which starts at 15:00 UTC the day before', () => {
    const day = jstDayOf('2026-04-07');
    expect(day?.start.toISOString()).toBe('2026-04-06T15:00:00.000Z');
    expect(day?.end.toISOString()).toBe('2026-04-07T15:00:00.000Z');
  });

  it('refuses what is not a real date', () => {
    for (const bad of ['', '2026-02-30', '2026-13-01', '2026-4-7', '2026-04-07T00:00', 'today']) {
      expect(jstDayOf(bad), bad).toBeNull();
    }
  });
});

describe('jstFormat', () => {
  it('shows the Japan date across midnight UTC', () => {
    const late = new Date('2026-04-06T22:00:00Z');
    expect(jstFormat({ month: 'numeric', day: 'numeric' }).format(late)).toBe('4/7');
    expect(jstFormat({ month: 'short', day: 'numeric' }, 'en').format(late)).toBe('7 Apr');
  });
});

describe('jstLocalOf', () => {
  it('writes an instant as a datetime-local value on Japan time, across midnight UTC', () => {
    expect(jstLocalOf(new Date('2026-04-06T22:00:30Z'))).toBe('2026-04-07T07:00');
    expect(jstInstantOf(jstLocalOf(new Date('2026-12-31T15:00:00Z')))).toBe(
      '2027-01-01T00:00:00+09:00',
    );
  });
});
