import { describe, expect, it } from 'vitest';
import { addAddressMailbox, noReplyMailbox, parseSystemMailbox } from './mailboxes';

describe('system mailboxes', () => {
  it('reads back what it builds, in any case', () => {
    const token = '0123456789abcdef0123456789abcdef';
    const address = addAddressMailbox(token, 'Renraku.Example.JP');
    expect(address).toBe(`add-${token}@renraku.example.jp`);
    expect(parseSystemMailbox(address.toUpperCase(), 'renraku.example.jp')).toEqual({
      kind: 'add_address',
      token,
    });
    expect(parseSystemMailbox(noReplyMailbox('renraku.example.jp'), 'RENRAKU.example.jp')).toEqual({
      kind: 'no_reply',
    });
    expect(parseSystemMailbox('bounce+d42.x@renraku.example.jp', 'renraku.example.jp')).toEqual({
      kind: 'bounce',
      tag: 'd42.x',
    });
    expect(parseSystemMailbox('Reply+7-AB12@renraku.example.jp', 'renraku.example.jp')).toEqual({
      kind: 'reply',
      tag: '7-ab12',
    });
  });

  it.each([
    'add-0123456789abcdef0123456789abcdef@other.example.jp',
    'add-0123456789abcdef0123456789abcdef@sub.renraku.example.jp',
    'add-@renraku.example.jp',
    'add-not-hex-zzzzzzzzzzzzzzzzzzzz@renraku.example.jp',
    'add-0123@renraku.example.jp',
    'bounce+@renraku.example.jp',
    'reply+@renraku.example.jp',
    'reply@renraku.example.jp',
    'no-reply2@renraku.example.jp',
    'renraku.example.jp',
    'school@renraku.example.jp',
  ])('is not one of ours: %s', (address) => {
    expect(parseSystemMailbox(address, 'renraku.example.jp')).toBeUndefined();
  });
});
