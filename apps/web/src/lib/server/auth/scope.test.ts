import { describe, expect, it } from 'vitest';
import { scopeRoom } from '@renraku/shared';
import { staffScope } from './scope';

const base = { id: 7, districtId: 1, schoolId: null, classId: null };

describe('staffScope', () => {
  it('derives each role’s scope from the stored account', () => {
    expect(staffScope({ ...base, role: 'board' })).toEqual({ role: 'board', districtId: 1 });
    expect(staffScope({ ...base, role: 'school_admin', schoolId: 3 })).toEqual({
      role: 'school_admin',
      districtId: 1,
      schoolId: 3,
    });
    expect(staffScope({ ...base, role: 'teacher', schoolId: 3, classId: 12 })).toEqual({
      role: 'teacher',
      districtId: 1,
      schoolId: 3,
      classId: 12,
    });
  });

  it('gives the board the district even when a school is set on the account', () => {
    expect(staffScope({ ...base, role: 'board', schoolId: 3, classId: 12 })).toEqual({
      role: 'board',
      districtId: 1,
    });
  });

  it('refuses accounts whose role lacks its school or class', () => {
    expect(() => staffScope({ ...base, role: 'school_admin' })).toThrow(/no school/);
    expect(() => staffScope({ ...base, role: 'teacher', schoolId: 3 })).toThrow(
      /no school or class/,
    );
  });
});

describe('scopeRoom', () => {
  it('puts each role in exactly the room of its scope', () => {
    expect(scopeRoom({ role: 'board', districtId: 1 })).toBe('district:1');
    expect(scopeRoom({ role: 'school_admin', districtId: 1, schoolId: 3 })).toBe('school:3');
    expect(scopeRoom({ role: 'teacher', districtId: 1, schoolId: 3, classId: 12 })).toBe(
      'class:12',
    );
  });
});
