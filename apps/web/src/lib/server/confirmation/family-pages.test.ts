import { describe, expect, it } from 'vitest';
import { messageTimeOf, postedChoice } from './family-pages';

const formWith = (choice?: string) => {
  const form = new FormData();
  if (choice !== undefined) form.set('choice', choice);
  return form;
};

describe('postedChoice', () => {
  it('reads a button of digits as its index', () => {
    expect(postedChoice(formWith('0'))).toBe(0);
    expect(postedChoice(formWith('4'))).toBe(4);
  });

  it('reads anything else as no choice (NaN), which the service refuses', () => {
    for (const value of [undefined, '', '-1', '1.5', '1e2', ' 1', '123456', 'x']) {
      expect(postedChoice(formWith(value)), String(value)).toBeNaN();
    }
  });
});

describe('messageTimeOf', () => {
  it('shows Japan time in either language', () => {
    const at = new Date('2026-01-05T21:03:00Z');
    expect(messageTimeOf(at, 'ja')).toBe('1月6日(火) 06:03');
    expect(messageTimeOf(at, 'en')).toContain('06:03');
  });
});
