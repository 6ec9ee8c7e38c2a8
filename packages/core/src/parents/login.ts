import { ServiceError } from '@renraku/shared';
import { findRegistrationsByLoginId, recordAuditEvent, recordParentLogin } from '@renraku/db';
import { DUMMY_PASSWORD_HASH, verifyPassword } from '@renraku/shared/password';
import type { ParentsContext } from './context';
import { hitLimits } from './limits';
import { loginIdLookupKey } from './policy';

/**
 * Failed logins per 15 minutes (successes are refunded): 10 per login ID, 100 per client
 * address (a carrier's NAT puts many parents behind one).
 */
export const PARENT_LOGIN_LIMITS = {
  perLogin: { limit: 10, windowSeconds: 900 },
  perAddress: { limit: 100, windowSeconds: 900 },
} as const;

// Over the limit is a state the login page shows with its minutes (429), not a refusal of
// what was typed; a wrong ID or password is a refusal (ServiceError).
export type ParentLoginResult =
  | { ok: true; registrationId: number; districtId: number }
  | { ok: false; reason: 'rate_limited'; minutes: number };

/**
 * A parent's login, from the login page or from a registration link (which names the district).
 * Unknown ID and wrong password give the same answer after the same work (a dummy hash is
 * verified when no registration has the ID), so nothing tells which IDs exist.
 * @throws ServiceError
 */
export async function attemptParentLogin(
  ctx: ParentsContext,
  input: { loginId: string; password: string },
  clientAddress: string,
  now: Date,
  districtId?: number,
): Promise<ParentLoginResult> {
  const loginId = loginIdLookupKey(input.loginId);
  const password = input.password.slice(0, 256);
  const limits = await hitLimits(ctx, [
    [`parent-login:login:${loginId}`, PARENT_LOGIN_LIMITS.perLogin],
    [`parent-login:address:${clientAddress}`, PARENT_LOGIN_LIMITS.perAddress],
  ]);
  if (!limits.allowed) return { ok: false, reason: 'rate_limited', minutes: limits.minutes };

  // The same ID may exist in two districts of one installation; the password tells them apart.
  const candidates =
    loginId === '' ? [] : await findRegistrationsByLoginId(ctx.db, loginId, districtId);
  let found: (typeof candidates)[number] | undefined;
  if (candidates.length === 0) await verifyPassword(await DUMMY_PASSWORD_HASH, password);
  for (const candidate of candidates) {
    if (await verifyPassword(candidate.passwordHash, password)) {
      found = candidate;
      break;
    }
  }
  if (!found || password === '') throw new ServiceError('invalid', 'parent.login.invalid');

  await Promise.all([
    limits.refund(),
    recordParentLogin(ctx.db, found.id, now),
    recordAuditEvent(ctx.db, {
      districtId: found.districtId,
      actorType: 'parent',
      actorId: found.id,
      action: 'parent.login',
      createdAt: now,
    }),
  ]);
  return { ok: true, registrationId: found.id, districtId: found.districtId };
}
