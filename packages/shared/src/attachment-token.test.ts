import { describe, expect, it } from 'vitest';
import { attachmentOfToken, attachmentToken, attachmentUrl } from './attachment-token';
import { confirmToken, deliveryOfConfirmToken } from './confirm-token';
import { deriveKeys } from './crypto';

const keys = deriveKeys('a test secret that is long enough for the key derivation');
const other = deriveKeys('another installation with its own secret key material');

describe('attachment link token', () => {
  it('names its attachment, is short and URL-safe', () => {
    for (const id of [1, 36, 987_654, 2_147_483_647]) {
      const token = attachmentToken(keys, id);
      expect(token).toMatch(/^[A-Za-z0-9_-]{16,24}$/);
      expect(attachmentOfToken(keys, token)).toBe(id);
    }
    expect(attachmentUrl('https://renraku.example.jp', keys, 5)).toBe(
      `https://renraku.example.jp/a/${attachmentToken(keys, 5)}`,
    );
  });

  it('refuses a forged, altered, truncated or foreign token', () => {
    const token = attachmentToken(keys, 4242);
    const flipped = token.slice(0, -1) + (token.endsWith('A') ? 'B' : 'A');
    expect(attachmentOfToken(keys, flipped)).toBeNull();
    expect(attachmentOfToken(keys, token.slice(0, -1))).toBeNull();
    expect(attachmentOfToken(other, token)).toBeNull();
    // Another attachment's signature under this id.
    const neighbour = attachmentToken(keys, 4243);
    expect(attachmentOfToken(keys, `${(4242).toString(36)}${neighbour.slice(-15)}`)).toBeNull();
    for (const bad of ['', 'x', '0' + token, token + 'A', '../../etc/passwd', 'A'.repeat(24)]) {
      expect(attachmentOfToken(keys, bad)).toBeNull();
    }
  });

  it('is not a confirmation token, nor the other way round', () => {
    expect(attachmentOfToken(keys, confirmToken(keys, 77))).toBeNull();
    expect(deliveryOfConfirmToken(keys, attachmentToken(keys, 77))).toBeNull();
  });
});
