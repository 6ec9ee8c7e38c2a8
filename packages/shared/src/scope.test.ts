import { describe, expect, it } from 'vitest';
import type { StaffScope } from './domain';
import {
  administersSchool,
  narrowedScopeFilter,
  scopeFilter,
  scopeRoom,
  scopesSeeing,
  sees,
  type Place,
} from './scope';

const board: StaffScope = { role: 'board', districtId: 1 };
const adminA: StaffScope = { role: 'school_admin', districtId: 1, schoolId: 10 };
const teacherA11: StaffScope = { role: 'teacher', districtId: 1, schoolId: 10, classId: 101 };
const otherBoard: StaffScope = { role: 'board', districtId: 2 };

const district: Place = { districtId: 1, schoolId: null, classId: null };
const schoolA: Place = { districtId: 1, schoolId: 10, classId: null };
const class11: Place = { districtId: 1, schoolId: 10, classId: 101 };
const class12: Place = { districtId: 1, schoolId: 10, classId: 102 };
const schoolB: Place = { districtId: 1, schoolId: 20, classId: 201 };

describe('sees', () => {
  it.each([
    ['board', board, [true, true, true, true, true]],
    ['school admin of A', adminA, [false, true, true, true, false]],
    ['teacher of A 1-1', teacherA11, [false, false, true, false, false]],
    ['board of another district', otherBoard, [false, false, false, false, false]],
  ] as const)('%s', (_, scope, expected) => {
    const places = [district, schoolA, class11, class12, schoolB];
    expect(places.map((place) => sees(scope, place))).toEqual(expected);
  });
});

describe('scopeRoom', () => {
  it('names one room per scope', () => {
    expect([board, adminA, teacherA11].map(scopeRoom)).toEqual([
      'district:1',
      'school:10',
      'class:101',
    ]);
  });
});

describe('scopeFilter', () => {
  it('narrows the district to the school, then to the class', () => {
    expect([board, adminA, teacherA11].map(scopeFilter)).toEqual([
      { districtId: 1 },
      { districtId: 1, schoolId: 10 },
      { districtId: 1, schoolId: 10, classId: 101 },
    ]);
  });
});

describe('narrowedScopeFilter', () => {
  it('lets the board narrow to any school; others only to their own', () => {
    expect(narrowedScopeFilter(board, 20)).toEqual({ districtId: 1, schoolId: 20 });
    expect(narrowedScopeFilter(board, undefined)).toEqual({ districtId: 1 });
    expect(narrowedScopeFilter(adminA, 10)).toEqual({ districtId: 1, schoolId: 10 });
    expect(narrowedScopeFilter(teacherA11, 10)).toEqual(scopeFilter(teacherA11));
    expect(narrowedScopeFilter(adminA, 20)).toBeNull();
    expect(narrowedScopeFilter(teacherA11, 20)).toBeNull();
  });
});

describe('scopesSeeing', () => {
  it('names the board, and the school admin and teacher of each class', () => {
    const scopes = scopesSeeing(1, [{ schoolId: 10, classId: 101 }]);
    expect(scopes).toEqual([board, adminA, teacherA11]);
    const place: Place = { districtId: 1, schoolId: 10, classId: 101 };
    expect(scopes.every((scope) => sees(scope, place))).toBe(true);
  });
});

describe('administersSchool', () => {
  it('is only the school admin of that school', () => {
    expect([board, adminA, teacherA11].map((scope) => administersSchool(scope, 10))).toEqual([
      false,
      true,
      false,
    ]);
    expect(administersSchool(adminA, 20)).toBe(false);
  });
});
