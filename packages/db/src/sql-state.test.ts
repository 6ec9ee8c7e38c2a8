import { describe, expect, it } from 'vitest';
import { isTransactionConflict, sqlStateOf } from './sql-state';

describe('sqlStateOf', () => {
  it('reads the driver’s code bare or under drizzle’s wrapping, and nothing else', () => {
    const driver = Object.assign(new Error('deadlock detected'), { code: '40P01' });
    expect(sqlStateOf(driver)).toBe('40P01');
    expect(sqlStateOf(new Error('Failed query', { cause: driver }))).toBe('40P01');
    expect(sqlStateOf(Object.assign(new Error('socket'), { code: 'ECONNRESET' }))).toBeUndefined();
    expect(sqlStateOf('40P01')).toBeUndefined();
  });

  it('calls only deadlocks and serialization failures a conflict to run again', () => {
    const withState = (code: string) =>
      new Error('x', { cause: Object.assign(new Error(), { code }) });
    expect(isTransactionConflict(withState('40P01'))).toBe(true);
    expect(isTransactionConflict(withState('40001'))).toBe(true);
    expect(isTransactionConflict(withState('23505'))).toBe(false);
    expect(isTransactionConflict(new Error('no code'))).toBe(false);
  });
});
