import { hash, verify } from '@node-rs/argon2';

/** @node-rs/argon2's Algorithm.Argon2id (a const enum, which isolated modules cannot read). */
const ARGON2ID = 2;

// argon2id with OWASP's second recommended profile (19 MiB, t=2): strong yet fast enough
// that a burst of parents registering at once does not stall a 2-core server.
const OPTIONS = { algorithm: ARGON2ID, memoryCost: 19_456, timeCost: 2, parallelism: 1 };

export function hashPassword(password: string): Promise<string> {
  return hash(password, OPTIONS);
}

export async function verifyPassword(passwordHash: string, password: string): Promise<boolean> {
  try {
    return await verify(passwordHash, password);
  } catch {
    return false;
  }
}

/** A hash of a random password, verified against when a login is unknown, so timing is equal. */
export const DUMMY_PASSWORD_HASH = hashPassword('renraku-dummy-password-for-timing');
