import {
  createCipheriv,
  createDecipheriv,
  createHash,
  createHmac,
  hkdfSync,
  randomBytes,
  timingSafeEqual,
} from 'node:crypto';

// Parents' addresses are stored only as AES-256-GCM ciphertext plus a keyed blind index;
// every key is derived from SECRET_KEY with HKDF, one purpose per key.

const FORMAT_VERSION = 1;
const NONCE_BYTES = 12;
const TAG_BYTES = 16;

function deriveKey(secret: string, purpose: string): Buffer {
  return Buffer.from(hkdfSync('sha256', secret, 'renraku', purpose, 32));
}

/** Keys for one installation, derived once at start from SECRET_KEY. */
export interface Keys {
  encryption: Buffer;
  blindIndex: Buffer;
  signing: Buffer;
  /** Web Push subscriptions (endpoint, p256dh, auth): secrets of the parent's device. */
  pushEncryption: Buffer;
  pushIndex: Buffer;
}

export function deriveKeys(secretKey: string): Keys {
  return {
    encryption: deriveKey(secretKey, 'address-encryption'),
    blindIndex: deriveKey(secretKey, 'address-blind-index'),
    signing: deriveKey(secretKey, 'signing'),
    pushEncryption: deriveKey(secretKey, 'push-encryption'),
    pushIndex: deriveKey(secretKey, 'push-index'),
  };
}

/** Lower-cases and trims so that the same mailbox always gets the same blind index. */
export function normalizeAddress(address: string): string {
  return address.trim().toLowerCase();
}

/** The domain part, kept in clear so that sending can be throttled per carrier. */
export function carrierDomainOf(address: string): string {
  const at = address.lastIndexOf('@');
  return at < 0 ? '' : normalizeAddress(address.slice(at + 1));
}

/** Encrypts with a random nonce: version(1) | nonce(12) | ciphertext | tag(16). */
function seal(key: Buffer, plaintext: string): Buffer {
  const nonce = randomBytes(NONCE_BYTES);
  const cipher = createCipheriv('aes-256-gcm', key, nonce);
  const body = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
  return Buffer.concat([Buffer.from([FORMAT_VERSION]), nonce, body, cipher.getAuthTag()]);
}

/** Throws when the ciphertext was altered or encrypted under another key. */
function unseal(key: Buffer, sealed: Uint8Array): string {
  const data = Buffer.from(sealed);
  if (data.length < 1 + NONCE_BYTES + TAG_BYTES || data[0] !== FORMAT_VERSION) {
    throw new Error('ciphertext has an unknown format');
  }
  const nonce = data.subarray(1, 1 + NONCE_BYTES);
  const tag = data.subarray(data.length - TAG_BYTES);
  const body = data.subarray(1 + NONCE_BYTES, data.length - TAG_BYTES);
  const decipher = createDecipheriv('aes-256-gcm', key, nonce);
  decipher.setAuthTag(tag);
  return Buffer.concat([decipher.update(body), decipher.final()]).toString('utf8');
}

export function encryptAddress(keys: Keys, address: string): Buffer {
  return seal(keys.encryption, normalizeAddress(address));
}

export function decryptAddress(keys: Keys, sealed: Uint8Array): string {
  return unseal(keys.encryption, sealed);
}

/** Keyed HMAC-SHA256 of the normalized address: lookups and uniqueness without the address. */
export function blindIndex(keys: Keys, address: string): string {
  return createHmac('sha256', keys.blindIndex).update(normalizeAddress(address)).digest('hex');
}

/** An address in the only form it may be stored: ciphertext, blind index, carrier domain. */
export interface SealedAddress {
  ciphertext: Buffer;
  blindIndex: string;
  carrierDomain: string;
}

/** One call for every place that stores an address, so none forgets a column. */
export function sealAddress(keys: Keys, address: string): SealedAddress {
  return {
    ciphertext: encryptAddress(keys, address),
    blindIndex: blindIndex(keys, address),
    carrierDomain: carrierDomainOf(address),
  };
}

/** A push subscription in the only form it may be stored; the service's origin stays in clear. */
export interface SealedPushSubscription {
  endpointCiphertext: Buffer;
  p256dhCiphertext: Buffer;
  authCiphertext: Buffer;
  /** Keyed HMAC of the endpoint: the same device subscribing again is found without it. */
  endpointIndex: string;
  /** The push service (https://fcm.googleapis.com…), like an address's carrier domain. */
  pushService: string;
}

export function sealPushSubscription(
  keys: Keys,
  subscription: { endpoint: string; keys: { p256dh: string; auth: string } },
): SealedPushSubscription {
  return {
    endpointCiphertext: seal(keys.pushEncryption, subscription.endpoint),
    p256dhCiphertext: seal(keys.pushEncryption, subscription.keys.p256dh),
    authCiphertext: seal(keys.pushEncryption, subscription.keys.auth),
    endpointIndex: pushEndpointIndex(keys, subscription.endpoint),
    pushService: new URL(subscription.endpoint).origin,
  };
}

/** Endpoints are case-sensitive capability URLs: hashed exactly as given. */
export function pushEndpointIndex(keys: Keys, endpoint: string): string {
  return createHmac('sha256', keys.pushIndex).update(endpoint).digest('hex');
}

/** What the dispatcher needs to send: the subscription as web-push takes it. */
export function unsealPushSubscription(
  keys: Keys,
  sealed: Record<'endpointCiphertext' | 'p256dhCiphertext' | 'authCiphertext', Uint8Array>,
): { endpoint: string; keys: { p256dh: string; auth: string } } {
  return {
    endpoint: unseal(keys.pushEncryption, sealed.endpointCiphertext),
    keys: {
      p256dh: unseal(keys.pushEncryption, sealed.p256dhCiphertext),
      auth: unseal(keys.pushEncryption, sealed.authCiphertext),
    },
  };
}

/** A random URL-safe secret for links, sessions and API tokens. */
export function randomToken(bytes = 32): string {
  return randomBytes(bytes).toString('base64url');
}

/**
 * A random secret that can be a mail address's local part (add-<token>@MAIL_DOMAIN): lower-case
 * hex, because some phones and mail systems change the case of what a parent sends to.
 */
export function randomMailboxToken(bytes = 16): string {
  return randomBytes(bytes).toString('hex');
}

/** Only this is stored for a token, so a database leak does not leak usable tokens. */
export function hashToken(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

/** A staff API token as shown once to its owner, with what is stored in its place. */
export interface IssuedApiToken {
  token: string;
  tokenHash: string;
  /** Enough to tell tokens apart in a list; not enough to use one. */
  tokenPrefix: string;
}

/** The `rk_` prefix lets secret scanners and people recognise a leaked Renraku token. */
export function issueApiToken(): IssuedApiToken {
  const token = `rk_${randomToken(32)}`;
  return { token, tokenHash: hashToken(token), tokenPrefix: token.slice(0, 11) };
}

/** Printed on the registration sheet and typed by parents: no 0/O, 1/I look-alikes. */
const AUTH_CODE_ALPHABET = 'ABCDEFGHJKLMNPQRSTUVWXYZ23456789';
export const AUTH_CODE_LENGTH = 8;

/** A school's (or class's) auth code (認証コード); 32 symbols, so every byte maps without bias. */
export function randomAuthCode(): string {
  const bytes = randomBytes(AUTH_CODE_LENGTH);
  return Array.from(bytes, (byte) => AUTH_CODE_ALPHABET[byte % 32]).join('');
}

/**
 * How a signature is written: base64url by default; hex where the text may be case-folded on
 * the way back (a mail address's local part, which relays and our inbound server lower-case).
 */
export type SignatureEncoding = 'base64url' | 'hex';

/** A short keyed signature, e.g. for VERP return paths that must not carry the address. */
export function sign(
  keys: Keys,
  value: string,
  length = 16,
  encoding: SignatureEncoding = 'base64url',
): string {
  return createHmac('sha256', keys.signing).update(value).digest(encoding).slice(0, length);
}

/** Checks against the full expected length: a shortened (or empty) signature never passes. */
export function verifySignature(
  keys: Keys,
  value: string,
  signature: string,
  length = 16,
  encoding: SignatureEncoding = 'base64url',
): boolean {
  const expected = Buffer.from(sign(keys, value, length, encoding));
  const given = Buffer.from(signature);
  return expected.length === given.length && timingSafeEqual(expected, given);
}
