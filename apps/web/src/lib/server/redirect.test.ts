import { describe, expect, it } from 'vitest';
import { sameSitePath } from './redirect';

describe('sameSitePath', () => {
  it('keeps a path on this site with its query', () => {
    expect(sameSitePath('/staff/messages/3?tab=failures', '/')).toBe(
      '/staff/messages/3?tab=failures',
    );
    expect(sameSitePath('/%2F%2Fevil.example', '/')).toBe('/%2F%2Fevil.example');
  });

  it('answers the fallback for anything a browser could read as another site', () => {
    for (const target of [
      null,
      '',
      'https://evil.example/',
      'HTTPS://evil.example/',
      '//evil.example/',
      '///evil.example/',
      '/\\evil.example/',
      '\\\\evil.example/',
      '/\\/evil.example/',
      '/.//evil.example/',
      '/a/..//evil.example/',
      '/\t/evil.example/',
      '/\n/evil.example/',
      ' //evil.example/',
      'javascript:alert(1)',
      'evil.example',
    ]) {
      expect(sameSitePath(target, '/home'), JSON.stringify(target)).toBe('/home');
    }
  });
});
