import { describe, expect, it } from 'vitest';
import { loginRequiredFor, returnPath } from './guards';

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
