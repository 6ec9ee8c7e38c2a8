import { describe, expect, it } from 'vitest';
import { deriveKeys } from './crypto';
import {
  confirmToken,
  deliveryOfConfirmToken,
  deliveryOfReplyTag,
  replyAddress,
} from './confirm-token';

const keys = deriveKeys('a test secret that is long enough for the key derivation');
const other = deriveKeys('another installation with its own secret key material');

describe('confirmation link token', () => {
  it('names its delivery, is URL-safe and at most 24 characters up to 10^14', () => {
    for (const id of [1, 35, 36, 123_456, 2_147_483_647, 99_999_999_999_999]) {
      const token = confirmToken(keys, id);
      expect(token).toMatch(/^[A-Za-z0-9_-]{16,24}$/);
      expect(deliveryOfConfirmToken(keys, token)).toBe(id);
    }
  });

  it('refuses a forged, altered, truncated or foreign token', () => {
    const token = confirmToken(keys, 4242);
    const flipped = token.slice(0, -1) + (token.endsWith('A') ? 'B' : 'A');
    expect(deliveryOfConfirmToken(keys, flipped)).toBeNull();
    expect(deliveryOfConfirmToken(keys, token.slice(0, -1))).toBeNull();
    expect(deliveryOfConfirmToken(other, token)).toBeNull();
    // Another delivery's signature under this id.
    const neighbour = confirmToken(keys, 4243);
    expect(
      deliveryOfConfirmToken(keys, `${(4242).toString(36)}${neighbour.slice(-15)}`),
    ).toBeNull();
    for (const bad of ['', 'x', '0' + token, token + 'A', '../../etc/passwd', 'A'.repeat(24)]) {
      expect(deliveryOfConfirmToken(keys, bad)).toBeNull();
    }
  });
});

describe('reply address', () => {
  it('round-trips in any case and holds no address', () => {
    const address = replyAddress(keys, 'mail.example.jp', 77);
    expect(address).toMatch(/^reply\+77-[0-9a-f]{24}@mail\.example\.jp$/);
    const tag = address.slice('reply+'.length, address.indexOf('@'));
    expect(deliveryOfReplyTag(keys, tag)).toBe(77);
    expect(deliveryOfReplyTag(keys, tag.toUpperCase())).toBe(77);
  });

  it('refuses forged tags', () => {
    const address = replyAddress(keys, 'mail.example.jp', 77);
    const tag = address.slice('reply+'.length, address.indexOf('@'));
    expect(deliveryOfReplyTag(keys, tag.replace(/^77/, '78'))).toBeNull();
    expect(deliveryOfReplyTag(other, tag)).toBeNull();
    expect(deliveryOfReplyTag(keys, '77-')).toBeNull();
    expect(deliveryOfReplyTag(keys, '077-' + tag.slice(3))).toBeNull();
  });
});
