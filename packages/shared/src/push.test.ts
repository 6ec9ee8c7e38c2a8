import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { base64urlBytes, pushSubscriptionSchema } from './push';

/** A real uncompressed P-256 public key, as a browser's p256dh. */
function p256dh(): string {
  const { publicKey } = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
  const spki = publicKey.export({ type: 'spki', format: 'der' });
  return spki.subarray(spki.length - 65).toString('base64url');
}

const good = () => ({
  endpoint: 'https://fcm.googleapis.com/fcm/send/dGVzdA:APA91bH',
  expirationTime: null,
  keys: { p256dh: p256dh(), auth: randomBytes(16).toString('base64url') },
});

const schema = pushSubscriptionSchema();
const issuesOf = (value: unknown) => {
  const result = schema.safeParse(value);
  return result.success ? [] : result.error.issues.map((issue) => issue.path.join('.'));
};

describe('pushSubscriptionSchema', () => {
  it('accepts what PushSubscription.toJSON() gives', () => {
    const subscription = good();
    expect(schema.parse(subscription)).toEqual(subscription);
    const { expirationTime: _, ...withoutExpiry } = subscription;
    expect(schema.safeParse(withoutExpiry).success).toBe(true);
  });

  it('refuses endpoints the server must not post to', () => {
    for (const endpoint of [
      'http://fcm.googleapis.com/fcm/send/x',
      'https://127.0.0.1/x',
      'https://169.254.169.254/latest',
      'https://localhost/x',
      'not a url',
      `https://fcm.googleapis.com/${'a'.repeat(2100)}`,
    ]) {
      expect(issuesOf({ ...good(), endpoint })).toEqual(['endpoint']);
    }
  });

  it('lets a local mock endpoint through only when allowed', () => {
    const local = { ...good(), endpoint: 'http://127.0.0.1:4100/push/1' };
    expect(schema.safeParse(local).success).toBe(false);
    expect(pushSubscriptionSchema({ allowPrivate: true }).safeParse(local).success).toBe(true);
  });

  it('refuses keys of the wrong length or encoding', () => {
    const point = base64urlBytes(p256dh())!;
    const compressed = Buffer.concat([Buffer.from([0x02]), point.subarray(1, 33)]);
    const notUncompressed = Buffer.from(point);
    notUncompressed[0] = 0x05;
    for (const p of [
      compressed.toString('base64url'),
      notUncompressed.toString('base64url'),
      point.subarray(0, 64).toString('base64url'),
      // + and / are not base64url (a random point's base64 need not hold either: force one).
      `+${point.toString('base64url').slice(1)}`,
      `${point.toString('base64url')}!`,
      '',
    ]) {
      expect(issuesOf({ ...good(), keys: { ...good().keys, p256dh: p } })).toEqual(['keys.p256dh']);
    }
    for (const auth of [
      randomBytes(15).toString('base64url'),
      randomBytes(17).toString('base64url'),
      'not base64url!',
      '',
    ]) {
      expect(issuesOf({ ...good(), keys: { ...good().keys, auth } })).toEqual(['keys.auth']);
    }
  });

  it('refuses a body that is not a subscription', () => {
    expect(issuesOf(null)).not.toEqual([]);
    expect(issuesOf({ endpoint: good().endpoint })).toEqual(['keys']);
    expect(issuesOf({ ...good(), keys: { p256dh: 1, auth: [] } })).toEqual([
      'keys.p256dh',
      'keys.auth',
    ]);
  });
});

describe('base64urlBytes', () => {
  it('takes padded and unpadded base64url, nothing else', () => {
    expect(base64urlBytes('AQID')).toEqual(Buffer.from([1, 2, 3]));
    expect(base64urlBytes('AQ')).toEqual(Buffer.from([1]));
    expect(base64urlBytes('AQ==')).toEqual(Buffer.from([1]));
    expect(base64urlBytes('AR')).toBeUndefined(); // stray bits in the last character
    expect(base64urlBytes('a+b/')).toBeUndefined();
    expect(base64urlBytes('')).toBeUndefined();
  });
});
