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
}

export function deriveKeys(secretKey: string): Keys {
  return {
    encryption: deriveKey(secretKey, 'address-encryption'),
    blindIndex: deriveKey(secretKey, 'address-blind-index'),
    signing: deriveKey(secretKey, 'signing'),
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
export function encryptAddress(keys: Keys, address: string): Buffer {
  const nonce = randomBytes(NONCE_BYTES);
  const cipher = createCipheriv('aes-256-gcm', keys.encryption, nonce);
  const body = Buffer.concat([cipher.update(normalizeAddress(address), 'utf8'), cipher.final()]);
  return Buffer.concat([Buffer.from([FORMAT_VERSION]), nonce, body, cipher.getAuthTag()]);
}

/** Throws when the ciphertext was altered or encrypted under another key. */
export function decryptAddress(keys: Keys, sealed: Uint8Array): string {
  const data = Buffer.from(sealed);
  if (data.length < 1 + NONCE_BYTES + TAG_BYTES || data[0] !== FORMAT_VERSION) {
    throw new Error('address ciphertext has an unknown format');
  }
  const nonce = data.subarray(1, 1 + NONCE_BYTES);
  const tag = data.subarray(data.length - TAG_BYTES);
  const body = data.subarray(1 + NONCE_BYTES, data.length - TAG_BYTES);
  const decipher = createDecipheriv('aes-256-gcm', keys.encryption, nonce);
  decipher.setAuthTag(tag);
  return Buffer.concat([decipher.update(body), decipher.final()]).toString('utf8');
}

/** Keyed HMAC-SHA256 of the normalized address: lookups and uniqueness without the address. */
export function blindIndex(keys: Keys, address: string): string {
  return createHmac('sha256', keys.blindIndex).update(normalizeAddress(address)).digest('hex');
}

/** A random URL-safe secret for links, sessions and API tokens. */
export function randomToken(bytes = 32): string {
  return randomBytes(bytes).toString('base64url');
}

/** Only this is stored for a token, so a database leak does not leak usable tokens. */
export function hashToken(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

/** A short keyed signature, e.g. for VERP return paths that must not carry the address. */
export function sign(keys: Keys, value: string, length = 16): string {
  return createHmac('sha256', keys.signing).update(value).digest('base64url').slice(0, length);
}

export function verifySignature(keys: Keys, value: string, signature: string): boolean {
  const expected = Buffer.from(sign(keys, value, signature.length));
  const given = Buffer.from(signature);
  return expected.length === given.length && timingSafeEqual(expected, given);
}
