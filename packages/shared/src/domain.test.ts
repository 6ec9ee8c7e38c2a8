import { describe, expect, it } from 'vitest';
import { schoolYearOf } from './domain';

describe('schoolYearOf (年度, April to March, in Japan time)', () => {
  it.each([
    // 31 March 23:59:59.999 JST is still the old school year…
    ['2025-03-31T14:59:59.999Z', 2024],
    // …and 1 April 00:00 JST (still 31 March in UTC) is the new one.
    ['2025-03-31T15:00:00.000Z', 2025],
    ['2025-04-01T00:00:00.000Z', 2025],
    // New Year's Day belongs to the school year that began the April before.
    ['2025-12-31T14:59:59.999Z', 2025],
    ['2025-12-31T15:00:00.000Z', 2025],
    ['2026-01-15T03:00:00.000Z', 2025],
    ['2026-03-31T14:59:59.999Z', 2025],
    ['2026-03-31T15:00:00.000Z', 2026],
    // A leap year's end of February changes nothing.
    ['2024-02-29T12:00:00.000Z', 2023],
  ])('%s is in school year %i', (iso, year) => {
    expect(schoolYearOf(new Date(iso))).toBe(year);
  });
});
