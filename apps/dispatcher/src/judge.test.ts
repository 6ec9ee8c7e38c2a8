import { describe, expect, it } from 'vitest';
import { judgeReply } from './judge';
import { scrubReply } from '@renraku/shared/scrub';

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

  // Issue 12 item 19: every form in which a relay or a carrier quotes the recipient.
  const base64 = (text: string) => Buffer.from(text).toString('base64');
  it.each([
    ['full-width ＠', '550 demo＠ezweb.ne.jp: user unknown'],
    ['full-width letters', '550 ｄｅｍｏ＠ｅｚｗｅｂ．ｎｅ．ｊｐ: user unknown'],
    ['small ﹫', '550 demo﹫ezweb.ne.jp: user unknown'],
    ['percent hack', '550 demo%ezweb.ne.jp@relay.example.jp: user unknown'],
    ['bare percent form', '550 unknown user demo%ezweb.ne.jp'],
    ['percent-encoded @', '550 unknown user demo%40ezweb.ne.jp'],
    ['quoted local part', '550 "demo taro"@ezweb.ne.jp: user unknown'],
    ['quoted local part with @', '550 "demo@home"@ezweb.ne.jp: user unknown'],
    ['angle brackets', '550 <demo@ezweb.ne.jp>: user unknown'],
    ['encoded word B', `550 =?UTF-8?B?${base64('demo@ezweb.ne.jp')}?= user unknown`],
    ['encoded word Q', '550 =?utf-8?q?demo=40ezweb=2Ene=2Ejp?= user unknown'],
    ['encoded word ISO-2022-JP', `550 =?ISO-2022-JP?B?${base64('demo@ezweb.ne.jp')}?= unknown`],
    ['spaced @', '550 demo @ ezweb.ne.jp: user unknown'],
    ['(at)', '550 demo(at)ezweb.ne.jp: user unknown'],
    ['[at]', '550 demo [at] ezweb.ne.jp: user unknown'],
    ['HTML entity', '550 demo&#64;ezweb.ne.jp: user unknown'],
  ])('removes an address quoted with %s', (_form, reply) => {
    const scrubbed = scrubReply(reply);
    expect(scrubbed.toLowerCase()).not.toMatch(/demo|[@＠﹫]|%40|=40/);
    expect(scrubbed).toMatch(/^550 /);
    expect(scrubbed).toContain('recipient');
  });

  it('leaves a reply without an address readable', () => {
    expect(scrubReply('451 4.7.1 Service unavailable, try again later (100%)')).toBe(
      '451 4.7.1 Service unavailable, try again later (100%)',
    );
  });
});
