import { describe, expect, it } from 'vitest';
import type { ConfirmationCell } from '@renraku/db';
import { confirmationFiguresOf, confirmedOf } from './figures';

// Two schools; household A has children in classes 11 and 12 of school 1, so it counts once
// in school 1 and once in each class.
const cells: ConfirmationCell[] = [
  { schoolId: 1, classId: null, answer: 0, n: 2 },
  { schoolId: 1, classId: null, answer: null, n: 1 },
  { schoolId: 1, classId: 11, answer: 0, n: 2 },
  { schoolId: 1, classId: 12, answer: 0, n: 1 },
  { schoolId: 1, classId: 12, answer: null, n: 1 },
  { schoolId: 2, classId: null, answer: 2, n: 3 },
  { schoolId: 2, classId: 21, answer: 2, n: 3 },
];

describe('confirmationFiguresOf', () => {
  it('sums the school cells for the whole message, not the classes', () => {
    const figures = confirmationFiguresOf(cells, {});
    expect(figures.total).toEqual({ unconfirmed: 1, answers: { 0: 2, 2: 3 } });
    expect(figures.bySchool).toEqual({
      1: { unconfirmed: 1, answers: { 0: 2 } },
      2: { unconfirmed: 0, answers: { 2: 3 } },
    });
    expect(figures.byClass[12]).toEqual({ unconfirmed: 1, answers: { 0: 1 } });
    expect(confirmedOf(figures.total)).toBe(5);
  });

  it("gives a school admin only their school's cells", () => {
    const figures = confirmationFiguresOf(cells, { schoolId: 2 });
    expect(figures).toEqual({
      total: { unconfirmed: 0, answers: { 2: 3 } },
      bySchool: { 2: { unconfirmed: 0, answers: { 2: 3 } } },
      byClass: { 21: { unconfirmed: 0, answers: { 2: 3 } } },
    });
  });

  it("gives a teacher only their class's cells, and no school figure", () => {
    const figures = confirmationFiguresOf(cells, { schoolId: 1, classId: 12 });
    expect(figures).toEqual({
      total: { unconfirmed: 1, answers: { 0: 1 } },
      bySchool: {},
      byClass: { 12: { unconfirmed: 1, answers: { 0: 1 } } },
    });
  });

  it('reads no cells as nothing confirmed', () => {
    expect(confirmationFiguresOf([], {})).toEqual({
      total: { unconfirmed: 0, answers: {} },
      bySchool: {},
      byClass: {},
    });
    expect(confirmedOf({ unconfirmed: 4, answers: {} })).toBe(0);
  });
});
