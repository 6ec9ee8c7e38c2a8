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
// every key is derived from SECRET_KEY with HKDF, one purpose per key. Ciphertexts and blind
// indexes carry the id of the SECRET_KEY they were made with, so that `pnpm cli rotate-secret`
// can find what is still under SECRET_KEY_PREVIOUS, and every process reads both meanwhile.

/** Before key ids: version(1) | nonce(12) | ciphertext | tag(16), under some earlier key. */
const LEGACY_VERSION = 1;
/** version(1) | key id(4) | nonce(12) | ciphertext | tag(16). */
const FORMAT_VERSION = 2;
const KEY_ID_BYTES = 4;
const NONCE_BYTES = 12;
const TAG_BYTES = 16;

function deriveKey(secret: string, purpose: string): Buffer {
  return Buffer.from(hkdfSync('sha256', secret, 'renraku', purpose, 32));
}

/** The keys derived from one SECRET_KEY. */
export interface KeySet {
  /** 8 hex digits naming the SECRET_KEY (derived, so it tells nothing about the key). */
  id: string;
  encryption: Buffer;
  blindIndex: Buffer;
  signing: Buffer;
  /** Web Push subscriptions (endpoint, p256dh, auth): secrets of the parent's device. */
  pushEncryption: Buffer;
  pushIndex: Buffer;
}

/**
 * Keys for one installation, derived once at start: SECRET_KEY's, which write everything, and
 * during a rotation SECRET_KEY_PREVIOUS's, which still read, find and verify what is not
 * rotated yet.
 */
export interface Keys extends KeySet {
  previous: KeySet | null;
}

function deriveKeySet(secretKey: string): KeySet {
  return {
    id: deriveKey(secretKey, 'key-id').subarray(0, KEY_ID_BYTES).toString('hex'),
    encryption: deriveKey(secretKey, 'address-encryption'),
    blindIndex: deriveKey(secretKey, 'address-blind-index'),
    signing: deriveKey(secretKey, 'signing'),
    pushEncryption: deriveKey(secretKey, 'push-encryption'),
    pushIndex: deriveKey(secretKey, 'push-index'),
  };
}

export function deriveKeys(secretKey: string, previousSecretKey?: string): Keys {
  const current = deriveKeySet(secretKey);
  const previous =
    previousSecretKey && previousSecretKey !== secretKey ? deriveKeySet(previousSecretKey) : null;
  return { ...current, previous };
}

/** The current key set, then the previous one: the order every reader tries. */
function keySets(keys: Keys): KeySet[] {
  return keys.previous ? [keys, keys.previous] : [keys];
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

type Purpose = 'encryption' | 'pushEncryption';

/** Encrypts under the current key with a random nonce, naming the key in front. */
function seal(keys: KeySet, purpose: Purpose, plaintext: string): Buffer {
  const nonce = randomBytes(NONCE_BYTES);
  const cipher = createCipheriv('aes-256-gcm', keys[purpose], nonce);
  const body = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
  const header = Buffer.concat([Buffer.from([FORMAT_VERSION]), Buffer.from(keys.id, 'hex')]);
  return Buffer.concat([header, nonce, body, cipher.getAuthTag()]);
}

function open(key: Buffer, data: Buffer, headerBytes: number): string {
  const nonce = data.subarray(headerBytes, headerBytes + NONCE_BYTES);
  const tag = data.subarray(data.length - TAG_BYTES);
  const body = data.subarray(headerBytes + NONCE_BYTES, data.length - TAG_BYTES);
  const decipher = createDecipheriv('aes-256-gcm', key, nonce);
  decipher.setAuthTag(tag);
  return Buffer.concat([decipher.update(body), decipher.final()]).toString('utf8');
}

/**
 * The id of the key a ciphertext was made with; null for one made before key ids (it is
 * tried under every key this process has).
 */
export function keyIdOfCiphertext(sealed: Uint8Array): string | null {
  const data = Buffer.from(sealed);
  return data[0] === FORMAT_VERSION ? data.subarray(1, 1 + KEY_ID_BYTES).toString('hex') : null;
}

/** Throws when the ciphertext was altered or made under a key this process does not have. */
function unseal(keys: Keys, purpose: Purpose, sealed: Uint8Array): string {
  const data = Buffer.from(sealed);
  if (data[0] === LEGACY_VERSION && data.length >= 1 + NONCE_BYTES + TAG_BYTES) {
    let failure: unknown;
    for (const set of keySets(keys)) {
      try {
        return open(set[purpose], data, 1);
      } catch (error) {
        failure = error;
      }
    }
    throw failure;
  }
  if (data[0] !== FORMAT_VERSION || data.length < 1 + KEY_ID_BYTES + NONCE_BYTES + TAG_BYTES) {
    throw new Error('ciphertext has an unknown format');
  }
  const id = keyIdOfCiphertext(data);
  const set = keySets(keys).find((candidate) => candidate.id === id);
  if (!set) throw new Error(`ciphertext is under key ${id}, neither SECRET_KEY nor the previous`);
  return open(set[purpose], data, 1 + KEY_ID_BYTES);
}

export function encryptAddress(keys: KeySet, address: string): Buffer {
  return seal(keys, 'encryption', normalizeAddress(address));
}

export function decryptAddress(keys: Keys, sealed: Uint8Array): string {
  return unseal(keys, 'encryption', sealed);
}

/** `<key id>:<HMAC-SHA256 hex>`: what every stored blind index looks like. */
function keyedIndex(keys: KeySet, purpose: 'blindIndex' | 'pushIndex', value: string): string {
  return `${keys.id}:${createHmac('sha256', keys[purpose]).update(value).digest('hex')}`;
}

/**
 * The forms `value` may be stored under: the current key's, then during a rotation the
 * previous key's, each also as written before key ids (bare hex). Lookups match any of them.
 */
function indexCandidates(keys: Keys, purpose: 'blindIndex' | 'pushIndex', value: string) {
  return keySets(keys).flatMap((set) => {
    const index = keyedIndex(set, purpose, value);
    return [index, index.slice(index.indexOf(':') + 1)];
  });
}

/** The key id a blind index was made with; null for one made before key ids. */
export function keyIdOfIndex(index: string): string | null {
  const colon = index.indexOf(':');
  return colon < 0 ? null : index.slice(0, colon);
}

/** Keyed HMAC-SHA256 of the normalized address: lookups and uniqueness without the address. */
export function blindIndex(keys: KeySet, address: string): string {
  return keyedIndex(keys, 'blindIndex', normalizeAddress(address));
}

/** Every stored form of the address's blind index, for lookups (see indexCandidates). */
export function blindIndexCandidates(keys: Keys, address: string): string[] {
  return indexCandidates(keys, 'blindIndex', normalizeAddress(address));
}

/**
 * A delivery's index whose address is gone when the key rotates: nothing can recompute it, so
 * it is replaced by a keyed hash of itself, still unique in its message and still equal for
 * two deliveries of the same mailbox, but of no use with the old key.
 */
export function retiredIndex(keys: KeySet, index: string): string {
  return keyedIndex(keys, 'blindIndex', `retired:${index}`);
}

/** An address in the only form it may be stored: ciphertext, blind index, carrier domain. */
export interface SealedAddress {
  ciphertext: Buffer;
  blindIndex: string;
  carrierDomain: string;
}

/** One call for every place that stores an address, so none forgets a column. */
export function sealAddress(keys: KeySet, address: string): SealedAddress {
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
  keys: KeySet,
  subscription: { endpoint: string; keys: { p256dh: string; auth: string } },
): SealedPushSubscription {
  return {
    endpointCiphertext: seal(keys, 'pushEncryption', subscription.endpoint),
    p256dhCiphertext: seal(keys, 'pushEncryption', subscription.keys.p256dh),
    authCiphertext: seal(keys, 'pushEncryption', subscription.keys.auth),
    endpointIndex: pushEndpointIndex(keys, subscription.endpoint),
    pushService: new URL(subscription.endpoint).origin,
  };
}

/** Endpoints are case-sensitive capability URLs: hashed exactly as given. */
export function pushEndpointIndex(keys: KeySet, endpoint: string): string {
  return keyedIndex(keys, 'pushIndex', endpoint);
}

/** Every stored form of the endpoint's index, for lookups. */
export function pushEndpointIndexCandidates(keys: Keys, endpoint: string): string[] {
  return indexCandidates(keys, 'pushIndex', endpoint);
}

/** What the dispatcher needs to send: the subscription as web-push takes it. */
export function unsealPushSubscription(
  keys: Keys,
  sealed: Record<'endpointCiphertext' | 'p256dhCiphertext' | 'authCiphertext', Uint8Array>,
): { endpoint: string; keys: { p256dh: string; auth: string } } {
  return {
    endpoint: unseal(keys, 'pushEncryption', sealed.endpointCiphertext),
    keys: {
      p256dh: unseal(keys, 'pushEncryption', sealed.p256dhCiphertext),
      auth: unseal(keys, 'pushEncryption', sealed.authCiphertext),
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
  keys: KeySet,
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
  const given = Buffer.from(signature);
  // Links and return paths in mails sent before a rotation stay valid while the previous key is set.
  return keySets(keys).some((set) => {
    const expected = Buffer.from(sign(set, value, length, encoding));
    return expected.length === given.length && timingSafeEqual(expected, given);
  });
}
