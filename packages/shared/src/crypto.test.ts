import { createCipheriv, createHmac, hkdfSync, randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  pushEndpointIndex,
  sealPushSubscription,
  unsealPushSubscription,
  AUTH_CODE_LENGTH,
  blindIndex,
  blindIndexCandidates,
  keyIdOfCiphertext,
  keyIdOfIndex,
  retiredIndex,
  carrierDomainOf,
  decryptAddress,
  deriveKeys,
  encryptAddress,
  hashToken,
  issueApiToken,
  randomAuthCode,
  sign,
  verifySignature,
} from './crypto';

const keys = deriveKeys('a-test-secret-key-that-is-long-enough-0001');
const otherKeys = deriveKeys('another-secret-key-that-is-long-enough-02');
const address = 'hogosha1234@docomo.ne.jp';

/** Layout: version(1) | key id(4) | nonce(12) | body | tag(16). */
function flipByte(sealed: Buffer, index: number): Buffer {
  const copy = Buffer.from(sealed);
  copy[index] = copy[index]! ^ 0x01;
  return copy;
}

describe('address encryption', () => {
  it('decrypts what it encrypted, in the normalized form', () => {
    expect(decryptAddress(keys, encryptAddress(keys, address))).toBe(address);
    expect(decryptAddress(keys, encryptAddress(keys, '  Hogosha1234@DOCOMO.ne.jp\n'))).toBe(
      address,
    );
  });

  it('never stores the address in clear', () => {
    const sealed = encryptAddress(keys, address);
    expect(sealed.includes(Buffer.from('hogosha1234'))).toBe(false);
    expect(sealed.includes(Buffer.from('docomo'))).toBe(false);
  });

  it('gives two encryptions of one address different ciphertexts (random nonce)', () => {
    const first = encryptAddress(keys, address);
    const second = encryptAddress(keys, address);
    expect(first.equals(second)).toBe(false);
    expect(first.subarray(5, 17).equals(second.subarray(5, 17))).toBe(false);
  });

  it.each([
    ['the nonce', 5],
    ['the key id', 2],
    ['the body', 20],
    ['the tag', -3],
  ])('refuses a ciphertext with one byte of %s flipped', (_part, offset) => {
    const sealed = encryptAddress(keys, address);
    const index = offset < 0 ? sealed.length + offset : offset;
    expect(() => decryptAddress(keys, flipByte(sealed, index))).toThrow();
  });

  it('refuses an unknown format version and a truncated ciphertext', () => {
    const sealed = encryptAddress(keys, address);
    expect(() => decryptAddress(keys, flipByte(sealed, 0))).toThrow(/unknown format/);
    expect(() => decryptAddress(keys, sealed.subarray(0, 20))).toThrow(/unknown format/);
    expect(() => decryptAddress(keys, new Uint8Array())).toThrow(/unknown format/);
  });

  it('refuses a ciphertext made under another key', () => {
    expect(() => decryptAddress(otherKeys, encryptAddress(keys, address))).toThrow();
  });
});

describe('push subscriptions', () => {
  const subscription = {
    endpoint: 'https://fcm.googleapis.com/fcm/send/AbC:APA91b',
    keys: { p256dh: 'BPub-key', auth: 'AuthSecret' },
  };

  it('seals endpoint and keys, keeps only the service in clear, and opens them again', () => {
    const sealed = sealPushSubscription(keys, subscription);
    expect(sealed.pushService).toBe('https://fcm.googleapis.com');
    for (const ciphertext of [
      sealed.endpointCiphertext,
      sealed.p256dhCiphertext,
      sealed.authCiphertext,
    ]) {
      expect(ciphertext.toString('latin1')).not.toMatch(/APA91b|BPub|AuthSecret/);
    }
    expect(unsealPushSubscription(keys, sealed)).toEqual(subscription);
    expect(() =>
      unsealPushSubscription(deriveKeys('another-secret-key-that-is-long-enough-02'), sealed),
    ).toThrow();
  });

  it('indexes the endpoint exactly: case matters in a capability URL', () => {
    expect(pushEndpointIndex(keys, subscription.endpoint)).toBe(
      sealPushSubscription(keys, subscription).endpointIndex,
    );
    expect(pushEndpointIndex(keys, subscription.endpoint)).not.toBe(
      pushEndpointIndex(keys, subscription.endpoint.toLowerCase()),
    );
    // Not the address blind index under another name.
    expect(pushEndpointIndex(keys, 'a@b.jp')).not.toBe(blindIndex(keys, 'a@b.jp'));
  });
});

describe('blind index', () => {
  it('is stable, and ignores case and surrounding whitespace', () => {
    const index = blindIndex(keys, address);
    expect(index).toMatch(/^[0-9a-f]{8}:[0-9a-f]{64}$/);
    expect(keyIdOfIndex(index)).toBe(keys.id);
    expect(blindIndex(keys, address)).toBe(index);
    expect(blindIndex(keys, ' HOGOSHA1234@Docomo.NE.JP\t')).toBe(index);
  });

  it('tells different addresses apart', () => {
    expect(blindIndex(keys, 'hogosha1235@docomo.ne.jp')).not.toBe(blindIndex(keys, address));
  });

  it('is keyed: another SECRET_KEY gives another index', () => {
    expect(blindIndex(otherKeys, address)).not.toBe(blindIndex(keys, address));
  });
});

describe('carrierDomainOf', () => {
  it('keeps the lower-cased domain, and nothing for a string without @', () => {
    expect(carrierDomainOf('Someone@EZweb.ne.jp')).toBe('ezweb.ne.jp');
    expect(carrierDomainOf('a@b@i.softbank.jp')).toBe('i.softbank.jp');
    expect(carrierDomainOf('no-at-sign')).toBe('');
  });
});

describe('tokens and signatures', () => {
  it('issues API tokens whose stored hash and prefix match the token shown once', () => {
    const issued = issueApiToken();
    expect(issued.token).toMatch(/^rk_[A-Za-z0-9_-]{43}$/);
    expect(issued.tokenHash).toBe(hashToken(issued.token));
    expect(issued.token.startsWith(issued.tokenPrefix)).toBe(true);
    expect(issued.tokenPrefix).toHaveLength(11);
    expect(issueApiToken().token).not.toBe(issued.token);
  });

  it('makes auth codes of unambiguous characters only', () => {
    const codes = Array.from({ length: 200 }, () => randomAuthCode());
    for (const code of codes) {
      expect(code).toHaveLength(AUTH_CODE_LENGTH);
      expect(code).toMatch(/^[A-HJ-NP-Z2-9]+$/);
    }
    expect(new Set(codes).size).toBe(codes.length);
  });

  it('verifies its own signatures and refuses altered ones or another key', () => {
    const signature = sign(keys, 'delivery:42');
    expect(verifySignature(keys, 'delivery:42', signature)).toBe(true);
    expect(verifySignature(keys, 'delivery:43', signature)).toBe(false);
    expect(verifySignature(otherKeys, 'delivery:42', signature)).toBe(false);
    expect(verifySignature(keys, 'delivery:42', signature.slice(0, -1))).toBe(false);
    expect(verifySignature(keys, 'delivery:42', '')).toBe(false);
  });
});

describe('key rotation', () => {
  const oldSecret = 'a-test-secret-key-that-is-long-enough-0001';
  const newSecret = 'the-rotated-secret-key-long-enough-0000003';
  const rotating = deriveKeys(newSecret, oldSecret);
  const rotated = deriveKeys(newSecret);

  it('names each key by an id of its own, and keeps no previous key equal to the current', () => {
    expect(keys.id).toMatch(/^[0-9a-f]{8}$/);
    expect(rotated.id).not.toBe(keys.id);
    expect(rotating.previous?.id).toBe(keys.id);
    expect(deriveKeys(oldSecret, oldSecret).previous).toBeNull();
  });

  it('writes under the new key and reads both while rotating; afterwards the old key reads nothing new', () => {
    const old = encryptAddress(keys, address);
    expect(keyIdOfCiphertext(old)).toBe(keys.id);
    expect(decryptAddress(rotating, old)).toBe(address);
    const fresh = encryptAddress(rotating, address);
    expect(keyIdOfCiphertext(fresh)).toBe(rotated.id);
    expect(decryptAddress(rotated, fresh)).toBe(address);
    expect(() => decryptAddress(keys, fresh)).toThrow(/neither SECRET_KEY nor the previous/);
    expect(() => decryptAddress(rotated, old)).toThrow(/neither SECRET_KEY nor the previous/);
  });

  it('reads a ciphertext from before key ids under whichever key made it', () => {
    const key = Buffer.from(hkdfSync('sha256', oldSecret, 'renraku', 'address-encryption', 32));
    const nonce = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', key, nonce);
    const body = Buffer.concat([cipher.update(address, 'utf8'), cipher.final()]);
    const legacy = Buffer.concat([Buffer.from([1]), nonce, body, cipher.getAuthTag()]);
    expect(keyIdOfCiphertext(legacy)).toBeNull();
    expect(decryptAddress(keys, legacy)).toBe(address);
    expect(decryptAddress(rotating, legacy)).toBe(address);
    expect(() => decryptAddress(rotated, legacy)).toThrow();
  });

  it('looks an address up under both keys, with and without the key id', () => {
    const candidates = blindIndexCandidates(rotating, address);
    const legacy = createHmac('sha256', keys.blindIndex).update(address).digest('hex');
    expect(candidates).toEqual([
      blindIndex(rotated, address),
      blindIndex(rotated, address).slice(9),
      blindIndex(keys, address),
      legacy,
    ]);
    expect(blindIndexCandidates(keys, address)).toEqual([blindIndex(keys, address), legacy]);
  });

  it('verifies old signatures only while the previous key is set', () => {
    const signature = sign(keys, 'confirm:7');
    expect(verifySignature(rotating, 'confirm:7', signature)).toBe(true);
    expect(sign(rotating, 'confirm:7')).toBe(sign(rotated, 'confirm:7'));
    expect(verifySignature(rotated, 'confirm:7', signature)).toBe(false);
  });

  it('retires an index to a keyed, stable form of the new key', () => {
    const old = blindIndex(keys, address);
    expect(retiredIndex(rotated, old)).toBe(retiredIndex(rotated, old));
    expect(keyIdOfIndex(retiredIndex(rotated, old))).toBe(rotated.id);
    expect(retiredIndex(rotated, old)).not.toBe(blindIndex(rotated, address));
  });
});
