import type { TokenPurpose } from '@renraku/shared';
import {
  hashToken,
  randomMailboxToken,
  randomToken,
  type SealedAddress,
} from '@renraku/shared/crypto';
import { and, eq, gt, isNull, lte, sql } from 'drizzle-orm';
import type { Db, Tx } from '../client';
import type { StaleBatch } from './key-rotation';
import { storedAddressesOf, type StoredAddress } from './addresses';
import { registrationTokens } from '../schema';

// Single-use links and mailbox tokens mailed to parents. Only a token's SHA-256 is stored, so a
// copy of the database holds no usable link; the raw token exists only in the mail or the page
// that carries it. A token is usable while it is unexpired and unused; using it is one atomic
// UPDATE, so two clicks (or two mails) racing for one token cannot both win.

/** A stored token as the pages see it: the hash, never the token itself. */
export type RegistrationToken = typeof registrationTokens.$inferSelect;

/** What a new token stands for; which fields apply depends on the purpose. */
export interface NewRegistrationToken {
  purpose: TokenPurpose;
  ttlSeconds: number;
  /** The school whose registration address was mailed ('register'). */
  schoolId?: number | null;
  /** The registration the step belongs to ('add_address', 'reset_password'). */
  registrationId?: number | null;
  /** The address the mail went to, which clicking the link proves. */
  address?: SealedAddress | null;
}

/** The raw token is returned once, for the mail or page that carries it, and never stored. */
export interface IssuedToken {
  id: number;
  token: string;
  expiresAt: Date;
}

async function insertToken(
  db: Db | Tx,
  token: string,
  input: NewRegistrationToken,
): Promise<IssuedToken> {
  const [row] = await db
    .insert(registrationTokens)
    .values({
      tokenHash: hashToken(token),
      purpose: input.purpose,
      schoolId: input.schoolId ?? null,
      registrationId: input.registrationId ?? null,
      addressCiphertext: input.address?.ciphertext ?? null,
      blindIndex: input.address?.blindIndex ?? null,
      carrierDomain: input.address?.carrierDomain ?? null,
      // The database's clock decides expiry, as it does when the token is checked.
      expiresAt: sql`now() + make_interval(secs => ${input.ttlSeconds})`,
    })
    .returning({ id: registrationTokens.id, expiresAt: registrationTokens.expiresAt });
  if (!row) throw new Error('registration token insert returned no row');
  return { id: row.id, token, expiresAt: row.expiresAt };
}

/** A link token (URL-safe) for a mail that proves an address: registration, confirmation, reset. */
export function createRegistrationToken(
  db: Db | Tx,
  input: NewRegistrationToken,
): Promise<IssuedToken> {
  return insertToken(db, randomToken(), input);
}

/**
 * The token of the add-<token>@MAIL_DOMAIN mailbox a logged-in parent's page shows: an empty
 * mail to it from a further address starts that address's confirmation. Lower-case, since it
 * travels as an address; short-lived and single-use like every other token.
 */
export function createAddAddressToken(
  db: Db | Tx,
  registrationId: number,
  ttlSeconds: number,
): Promise<IssuedToken> {
  return insertToken(db, randomMailboxToken(), {
    purpose: 'add_address',
    registrationId,
    ttlSeconds,
  });
}

/** The token behind a link or mailbox, if it may still be used for this purpose. */
export async function findUsableToken(
  db: Db | Tx,
  tokenHash: string,
  purpose: TokenPurpose,
): Promise<RegistrationToken | undefined> {
  const [row] = await db
    .select()
    .from(registrationTokens)
    .where(
      and(
        eq(registrationTokens.tokenHash, tokenHash),
        eq(registrationTokens.purpose, purpose),
        isNull(registrationTokens.usedAt),
        gt(registrationTokens.expiresAt, sql`now()`),
      ),
    )
    .limit(1);
  return row;
}

/** Marks a token used; false when another request used it first or it has expired meanwhile. */
export async function consumeToken(db: Db | Tx, id: number): Promise<boolean> {
  const rows = await db
    .update(registrationTokens)
    .set({ usedAt: sql`now()` })
    .where(
      and(
        eq(registrationTokens.id, id),
        isNull(registrationTokens.usedAt),
        gt(registrationTokens.expiresAt, sql`now()`),
      ),
    )
    .returning({ id: registrationTokens.id });
  return rows.length === 1;
}

/** Undoes consumeToken when the step it guarded could not finish, so the parent's retry works. */
export async function releaseToken(db: Db | Tx, id: number): Promise<void> {
  await db.update(registrationTokens).set({ usedAt: null }).where(eq(registrationTokens.id, id));
}

/** Withdraws a token whose mail never left, so no link exists that nobody received. */
export async function deleteToken(db: Db | Tx, id: number): Promise<void> {
  await db.delete(registrationTokens).where(eq(registrationTokens.id, id));
}

/**
 * Retention: tokens that expired before `cutoff`, used or not, hold an encrypted address for no
 * purpose. Used tokens stay until then so that a reused link can be told apart from an unknown
 * one.
 */
export async function deleteExpiredTokens(db: Db | Tx, cutoff: Date): Promise<number> {
  const rows = await db
    .delete(registrationTokens)
    .where(lte(registrationTokens.expiresAt, cutoff))
    .returning({ id: registrationTokens.id });
  return rows.length;
}

/** Once one reset link worked, the others mailed with it must not. */
export async function deleteRegistrationTokensOf(
  db: Db | Tx,
  registrationId: number,
  purpose: TokenPurpose,
): Promise<void> {
  await db
    .delete(registrationTokens)
    .where(
      and(
        eq(registrationTokens.registrationId, registrationId),
        eq(registrationTokens.purpose, purpose),
      ),
    );
}

/** Up to `limit` tokens whose proven address is not yet under key `keyId`, locked. */
export async function lockStaleTokenAddresses(
  tx: Tx,
  { keyId, limit }: StaleBatch,
): Promise<StoredAddress[]> {
  return storedAddressesOf(
    await tx.execute(sql`
      select id, blind_index as "blindIndex", address_ciphertext as ciphertext
      from registration_tokens
      where address_ciphertext is not null and blind_index not like ${`${keyId}:%`}
      limit ${limit} for update`),
  );
}

/** Writes tokens' re-encrypted addresses with their new index. */
export async function rekeyTokenAddresses(tx: Tx, rows: StoredAddress[]): Promise<void> {
  await tx.execute(sql`
    update registration_tokens t set address_ciphertext = decode(v.ciphertext, 'hex'),
      blind_index = v.blind_index
    from unnest(${sql.param(rows.map((row) => row.id))}::int[],
      ${sql.param(rows.map((row) => row.ciphertext.toString('hex')))}::text[],
      ${sql.param(rows.map((row) => row.blindIndex))}::text[]) v(id, ciphertext, blind_index)
    where t.id = v.id`);
}
