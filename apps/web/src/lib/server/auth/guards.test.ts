import { describe, expect, it } from 'vitest';
import { isHttpError } from '@sveltejs/kit';
import {
  loginRequiredFor,
  requireAdmin,
  requireBoard,
  requireSchoolAdmin,
  returnPath,
} from './guards';

const staff = {} as NonNullable<App.Locals['staff']>;

describe('loginRequiredFor', () => {
  it('sends staff pages without a staff session to the staff login', () => {
    expect(loginRequiredFor('/staff', {})).toBe('/staff/login');
    expect(loginRequiredFor('/staff/messages/3', {})).toBe('/staff/login');
    expect(loginRequiredFor('/staff/messages/3', { parent: { registrationId: 1 } })).toBe(
      '/staff/login',
    );
    expect(loginRequiredFor('/staff', { staff })).toBeUndefined();
  });

  it('sends parent pages without a parent session to the parent login', () => {
    expect(loginRequiredFor('/account', {})).toBe('/account/login');
    expect(loginRequiredFor('/account/addresses', { staff })).toBe('/account/login');
    expect(loginRequiredFor('/account', { parent: { registrationId: 1 } })).toBeUndefined();
  });

  it('leaves the login pages and everything else open', () => {
    expect(loginRequiredFor('/staff/login', {})).toBeUndefined();
    expect(loginRequiredFor('/account/login', {})).toBeUndefined();
    expect(loginRequiredFor('/account/forgot', {})).toBeUndefined();
    expect(loginRequiredFor('/account/reset/abc', {})).toBeUndefined();
    expect(loginRequiredFor('/account/addresses/confirm/abc', {})).toBeUndefined();
    expect(loginRequiredFor('/account/addresses/add', {})).toBe('/account/login');
    expect(loginRequiredFor('/', {})).toBeUndefined();
    expect(loginRequiredFor('/staffroom', {})).toBeUndefined();
  });
});

describe('returnPath', () => {
  it('returns to a page under the root after login', () => {
    expect(returnPath('/staff/messages/3?tab=failures', '/staff')).toBe(
      '/staff/messages/3?tab=failures',
    );
  });

  it('never leaves the site or the root (no open redirect)', () => {
    for (const next of [
      null,
      '',
      'https://evil.example/staff',
      '//evil.example/staff',
      '/\\evil.example/staff',
      'javascript:alert(1)',
      '/account',
      '/staffroom',
      '%2F%2Fevil.example',
    ]) {
      expect(returnPath(next, '/staff'), String(next)).toMatch(/^\/staff(\/|$)/);
    }
  });
});

describe('the role guards', () => {
  const teacher = { role: 'teacher', districtId: 1, schoolId: 2, classId: 3 } as const;
  const board = { role: 'board', districtId: 1 } as const;

  /** The 403 a guard throws, or undefined when it let the scope through. */
  function refusalOf(guard: () => unknown): unknown {
    try {
      guard();
      return undefined;
    } catch (caught) {
      return caught;
    }
  }

  it.each([
    [
      'requireSchoolAdmin',
      () => requireSchoolAdmin(board, 'en'),
      "Only this school's administrators can use this page.",
    ],
    [
      'requireSchoolAdmin',
      () => requireSchoolAdmin(board, 'ja'),
      'この学校の管理者だけが使えるページです。',
    ],
    [
      'requireBoard',
      () => requireBoard(teacher, 'en'),
      'Only the board of education can use this page.',
    ],
    [
      'requireAdmin',
      () => requireAdmin(teacher, 'ja'),
      'この学校の管理者と教育委員会だけが使えるページです。',
    ],
  ])('%s answers 403 in the request’s language', (_guard, guard, message) => {
    const caught = refusalOf(guard);
    expect(isHttpError(caught)).toBe(true);
    expect(caught).toMatchObject({ status: 403, body: { message } });
  });

  it('lets the right role through with its scope', () => {
    expect(requireBoard(board, 'en')).toBe(board);
    expect(requireAdmin(board, 'en')).toBe(board);
    const admin = { role: 'school_admin', districtId: 1, schoolId: 2 } as const;
    expect(requireSchoolAdmin(admin, 'en')).toBe(admin);
  });
});
