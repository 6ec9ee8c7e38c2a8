import { and, desc, eq, isNull, lt, or } from 'drizzle-orm';
import type { Db, Tx } from '../client';
import { apiTokens } from '../schema';

export type ApiToken = typeof apiTokens.$inferSelect;

/** Stores a new token by its hash; the token itself is shown once and never stored. */
export async function createApiToken(
  db: Db | Tx,
  input: { staffUserId: number; name: string; tokenHash: string; tokenPrefix: string },
): Promise<Pick<ApiToken, 'id' | 'createdAt'>> {
  const [created] = await db
    .insert(apiTokens)
    .values(input)
    .returning({ id: apiTokens.id, createdAt: apiTokens.createdAt });
  return created!;
}

/** A token that still works: known by its hash and not revoked. */
export async function findActiveApiToken(
  db: Db | Tx,
  tokenHash: string,
): Promise<Pick<ApiToken, 'id' | 'staffUserId'> | undefined> {
  const [found] = await db
    .select({ id: apiTokens.id, staffUserId: apiTokens.staffUserId })
    .from(apiTokens)
    .where(and(eq(apiTokens.tokenHash, tokenHash), isNull(apiTokens.revokedAt)))
    .limit(1);
  return found;
}

/**
 * Lets the owner see which tokens are in use. Written at most once a minute per token, so a
 * busy integration does not turn every API call into a write.
 */
export async function markApiTokenUsed(db: Db | Tx, tokenId: number, at: Date): Promise<void> {
  const aMinuteAgo = new Date(at.getTime() - 60_000);
  await db
    .update(apiTokens)
    .set({ lastUsedAt: at })
    .where(
      and(
        eq(apiTokens.id, tokenId),
        or(isNull(apiTokens.lastUsedAt), lt(apiTokens.lastUsedAt, aMinuteAgo)),
      ),
    );
}

/** A token as its owner's list shows it: never the hash. */
export interface OwnedApiToken {
  id: number;
  name: string;
  tokenPrefix: string;
  createdAt: Date;
  lastUsedAt: Date | null;
  revokedAt: Date | null;
}

/** The owner's tokens, newest first, revoked ones included so the owner sees what was cut off. */
export function listApiTokensOf(db: Db | Tx, staffUserId: number): Promise<OwnedApiToken[]> {
  return db
    .select({
      id: apiTokens.id,
      name: apiTokens.name,
      tokenPrefix: apiTokens.tokenPrefix,
      createdAt: apiTokens.createdAt,
      lastUsedAt: apiTokens.lastUsedAt,
      revokedAt: apiTokens.revokedAt,
    })
    .from(apiTokens)
    .where(eq(apiTokens.staffUserId, staffUserId))
    .orderBy(desc(apiTokens.createdAt), desc(apiTokens.id));
}

/** Revokes one of the owner's live tokens; false when it is not theirs or already revoked. */
export async function revokeApiTokenOf(
  db: Db | Tx,
  input: { tokenId: number; staffUserId: number; at: Date },
): Promise<boolean> {
  const revoked = await db
    .update(apiTokens)
    .set({ revokedAt: input.at })
    .where(
      and(
        eq(apiTokens.id, input.tokenId),
        eq(apiTokens.staffUserId, input.staffUserId),
        isNull(apiTokens.revokedAt),
      ),
    )
    .returning({ id: apiTokens.id });
  return revoked.length > 0;
}
