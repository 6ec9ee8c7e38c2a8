import { describe, expect, it } from 'vitest';
import { confirmationFiguresOf, confirmedOf } from './figures';

// Two schools; school 1 has classes 11 and 12 and one family with a child in each (it counts
// once in school 1, once in each class).
const cells = [
  { schoolId: 1, classId: null, answer: null, n: 2 },
  { schoolId: 1, classId: null, answer: 0, n: 3 },
  { schoolId: 1, classId: null, answer: 2, n: 1 },
  { schoolId: 1, classId: 11, answer: null, n: 1 },
  { schoolId: 1, classId: 11, answer: 0, n: 2 },
  { schoolId: 1, classId: 12, answer: null, n: 1 },
  { schoolId: 1, classId: 12, answer: 0, n: 2 },
  { schoolId: 1, classId: 12, answer: 2, n: 1 },
  { schoolId: 2, classId: null, answer: 0, n: 4 },
  { schoolId: 2, classId: 21, answer: 0, n: 4 },
];

describe('confirmationFiguresOf', () => {
  it('sums the school cells for the district, never the classes (a sibling counts once)', () => {
    const figures = confirmationFiguresOf(cells, {});
    expect(figures.total).toEqual({ unconfirmed: 2, answers: { 0: 7, 2: 1 } });
    expect(figures.bySchool).toEqual({
      1: { unconfirmed: 2, answers: { 0: 3, 2: 1 } },
      2: { unconfirmed: 0, answers: { 0: 4 } },
    });
    expect(Object.keys(figures.byClass)).toEqual(['11', '12', '21']);
    expect(confirmedOf(figures.total)).toBe(8);
  });

  it("gives a school part its own cell and its classes, nothing of another school's", () => {
    const figures = confirmationFiguresOf(cells, { schoolId: 2 });
    expect(figures.total).toEqual({ unconfirmed: 0, answers: { 0: 4 } });
    expect(figures.bySchool).toEqual({ 2: { unconfirmed: 0, answers: { 0: 4 } } });
    expect(figures.byClass).toEqual({ 21: { unconfirmed: 0, answers: { 0: 4 } } });
  });

  it("gives a class part its class's cell as the total, and no school figures", () => {
    const figures = confirmationFiguresOf(cells, { schoolId: 1, classId: 12 });
    expect(figures.total).toEqual({ unconfirmed: 1, answers: { 0: 2, 2: 1 } });
    expect(figures.bySchool).toEqual({});
    expect(figures.byClass).toEqual({ 12: { unconfirmed: 1, answers: { 0: 2, 2: 1 } } });
  });

  it('reads zero everywhere for a message nobody was reached by', () => {
    expect(confirmationFiguresOf([], { schoolId: 1 })).toEqual({
      total: { unconfirmed: 0, answers: {} },
      bySchool: {},
      byClass: {},
    });
    expect(confirmedOf({ unconfirmed: 3, answers: {} })).toBe(0);
  });
});
