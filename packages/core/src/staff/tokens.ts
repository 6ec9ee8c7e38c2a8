import {
  createApiToken,
  listApiTokensOf,
  recordAuditEvent,
  revokeApiTokenOf,
  type Db,
  type OwnedApiToken,
} from '@renraku/db';
import { nameFault, scopeSchool, ServiceError } from '@renraku/shared';
import { issueApiToken } from '@renraku/shared/crypto';
import type { StaffActor } from '../roster';
import type { AuditActor } from './accounts';

// API tokens (APIトークン) belong to the staff member who made them and act with that member's
// scope. Every role may have them (a teacher's class-only integration is still scoped). The
// token is shown once, at creation; only its hash and first characters are stored.

/** The owner's tokens for the list (prefix, name, created, last used, revoked). */
export function ownApiTokens(db: Db, actor: StaffActor): Promise<OwnedApiToken[]> {
  return listApiTokensOf(db, actor.staffUserId);
}

const MAX_NAME = 100;

/** Issues a token; the returned `token` is the only time anyone sees it. */
export async function createOwnApiToken(
  db: Db,
  actor: StaffActor,
  input: { name: string },
): Promise<{ id: number; name: string; token: string; tokenPrefix: string }> {
  const name = input.name.trim();
  if (name === '' || name.length > MAX_NAME || nameFault(name)) {
    throw new ServiceError('invalid', 'refusal.tokens.nameRule', { max: MAX_NAME });
  }
  return issueStaffApiToken(
    db,
    { actorType: 'staff', actorId: actor.staffUserId },
    {
      staffUserId: actor.staffUserId,
      districtId: actor.scope.districtId,
      schoolId: scopeSchool(actor.scope),
    },
    name,
  );
}

/**
 * Issues a token acting as `owner`, for the tokens page and the CLI alike; the returned `token`
 * is the only time anyone sees it. A staff member issues their own (the audit's actor is the
 * owner), so only the operator's audit names the owner. The owner's school is the event's.
 */
export async function issueStaffApiToken(
  db: Db,
  by: AuditActor,
  owner: { staffUserId: number; districtId: number; schoolId: number | null },
  name: string,
): Promise<{ id: number; name: string; token: string; tokenPrefix: string }> {
  const issued = issueApiToken();
  return db.transaction(async (tx) => {
    const stored = await createApiToken(tx, {
      staffUserId: owner.staffUserId,
      name,
      tokenHash: issued.tokenHash,
      tokenPrefix: issued.tokenPrefix,
    });
    await recordAuditEvent(tx, {
      districtId: owner.districtId,
      schoolId: owner.schoolId,
      ...by,
      action: 'api_token.create',
      subjectType: 'api_token',
      subjectId: String(stored.id),
      detail:
        by.actorType === 'operator'
          ? { staffUserId: owner.staffUserId, name, tokenPrefix: issued.tokenPrefix }
          : { name, tokenPrefix: issued.tokenPrefix },
    });
    return { id: stored.id, name, token: issued.token, tokenPrefix: issued.tokenPrefix };
  });
}

/** Revokes one of the owner's tokens; its next API call gets 401. */
export async function revokeOwnApiToken(
  db: Db,
  actor: StaffActor,
  input: { tokenId: number; now?: Date },
): Promise<void> {
  await db.transaction(async (tx) => {
    const revoked = await revokeApiTokenOf(tx, {
      tokenId: input.tokenId,
      staffUserId: actor.staffUserId,
      at: input.now ?? new Date(),
    });
    if (!revoked) {
      throw new ServiceError('not_found', 'refusal.tokens.notFound');
    }
    await recordAuditEvent(tx, {
      districtId: actor.scope.districtId,
      schoolId: scopeSchool(actor.scope),
      actorType: 'staff',
      actorId: actor.staffUserId,
      action: 'api_token.revoke',
      subjectType: 'api_token',
      subjectId: String(input.tokenId),
      detail: {},
    });
  });
}
