import { describe, expect, it } from 'vitest';
import { judgeReply, scrubReply } from './dispatcher';

const settings = { maxAttempts: 4, retryBaseMs: 1000, retryMaxMs: 3000 };
const middle = () => 0.5;

describe('judgeReply', () => {
  it('accepts 2xx and fails 5xx at once', () => {
    expect(judgeReply({ code: 250, text: '250 ok' }, 0, settings)).toEqual({
      state: 'accepted',
      retryInMs: null,
    });
    for (const code of [550, 553, 554]) {
      expect(judgeReply({ code, text: '' }, 0, settings).state).toBe('failed');
    }
  });

  it('defers 4xx and lost connections with doubling backoff, then fails at the limit', () => {
    for (const code of [421, 450, 451, 452, null]) {
      expect(judgeReply({ code, text: '' }, 0, settings, middle)).toEqual({
        state: 'deferred',
        retryInMs: 1000,
      });
    }
    expect(judgeReply({ code: 451, text: '' }, 1, settings, middle).retryInMs).toBe(2000);
    expect(judgeReply({ code: 451, text: '' }, 2, settings, middle).retryInMs).toBe(3000);
    expect(judgeReply({ code: 451, text: '' }, 3, settings, middle)).toEqual({
      state: 'failed',
      retryInMs: null,
    });
  });

  it('spreads retries by up to a fifth either way', () => {
    expect(judgeReply({ code: 451, text: '' }, 0, settings, () => 0).retryInMs).toBe(800);
    expect(judgeReply({ code: 451, text: '' }, 0, settings, () => 1).retryInMs).toBe(1200);
  });
});

describe('scrubReply', () => {
  it('removes every address a relay quotes, and bounds the length', () => {
    expect(scrubReply('550 5.1.1 <Taro.Yamada@docomo.ne.jp>: Recipient address rejected')).toBe(
      '550 5.1.1 <recipient>: Recipient address rejected',
    );
    expect(scrubReply('452 too many: a..b.@ezweb.ne.jp, c@au.com')).toBe(
      '452 too many: recipient, recipient',
    );
    expect(scrubReply('x'.repeat(2000))).toHaveLength(500);
  });
});
