import { describe, expect, it } from 'vitest';
import { en } from './en';
import { negotiateLocale, t } from './index';
import { ja } from './ja';

const placeholders = (text: string) => [...text.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();

describe('dictionaries', () => {
  it('have an English text for every Japanese key, and nothing else', () => {
    expect(Object.keys(en).sort()).toEqual(Object.keys(ja).sort());
  });

  it('have no empty text', () => {
    for (const [key, text] of [...Object.entries(ja), ...Object.entries(en)]) {
      expect(text.trim(), key).not.toBe('');
    }
  });

  it('use the same placeholders in both languages', () => {
    for (const key of Object.keys(ja) as (keyof typeof ja)[]) {
      expect(placeholders(en[key]), key).toEqual(placeholders(ja[key]));
    }
  });
});

describe('t', () => {
  it('fills placeholders', () => {
    expect(t('ja', 'staff.login.rateLimited', { minutes: 15 })).toContain('15分');
    expect(t('en', 'staff.home.greeting', { name: '山田 花子' })).toBe('Welcome, 山田 花子.');
  });

  it('leaves a placeholder without a value visible rather than inventing one', () => {
    expect(t('en', 'staff.home.greeting')).toBe('Welcome, {name}.');
  });

  it('does not interpret placeholder syntax inside values', () => {
    expect(t('en', 'staff.home.greeting', { name: '{name}$&' })).toBe('Welcome, {name}$&.');
  });
});

describe('negotiateLocale', () => {
  it('takes the first supported language by preference', () => {
    expect(negotiateLocale('en-US,en;q=0.9,ja;q=0.8')).toBe('en');
    expect(negotiateLocale('ja,en-US;q=0.9')).toBe('ja');
    expect(negotiateLocale('fr-FR, en;q=0.5, ja;q=0.7')).toBe('ja');
    expect(negotiateLocale('en;q=0.2, ja;q=0.9')).toBe('ja');
  });

  it('falls back to Japanese for missing, unsupported or malformed headers', () => {
    expect(negotiateLocale(null)).toBe('ja');
    expect(negotiateLocale('')).toBe('ja');
    expect(negotiateLocale('fr, de')).toBe('ja');
    expect(negotiateLocale('en;q=0')).toBe('ja');
    expect(negotiateLocale(';;;,q=abc,,\u0000')).toBe('ja');
  });
});
