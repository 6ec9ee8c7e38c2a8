import {
  findStaffUserByLogin,
  hitRateLimit,
  recordAuditEvent,
  recordStaffLogin,
  refundRateLimit,
} from '@renraku/db';
import { DUMMY_PASSWORD_HASH, verifyPassword } from '@renraku/shared/password';
import { z } from 'zod';
import type { WebContext } from '../../../../server/context';
import { endSession } from './sessions';

/**
 * Failed attempts per fixed window of 15 minutes (successful logins are refunded). Per login:
 * 10, enough for a flustered teacher, far too few to guess a password. Per address: 100,
 * because a whole city's school network often reaches us through one address.
 */
export const STAFF_LOGIN_LIMITS = {
  perLogin: { limit: 10, windowSeconds: 900 },
  perAddress: { limit: 100, windowSeconds: 900 },
} as const;

/** Bounds stop a megabyte "password" from keeping argon2 busy. */
export const staffLoginSchema = z.object({
  login: z.string().trim().min(1).max(100),
  password: z.string().min(1).max(256),
});
export type StaffLoginInput = z.infer<typeof staffLoginSchema>;

export type StaffLoginResult =
  | { ok: true; staffUserId: number }
  | { ok: false; reason: 'invalid' }
  | { ok: false; reason: 'rate_limited'; retryAfterSeconds: number };

/**
 * Checks a staff login. Unknown login, wrong password and disabled account give the same
 * answer after the same work (a dummy hash is verified for an unknown login, and every
 * failure is audited), so neither the message nor the timing tells which logins exist.
 */
export async function attemptStaffLogin(
  ctx: WebContext,
  input: StaffLoginInput,
  clientAddress: string,
  now: Date,
): Promise<StaffLoginResult> {
  const { perLogin, perAddress } = STAFF_LOGIN_LIMITS;
  const loginKey = `staff-login:login:${input.login.toLowerCase()}`;
  const addressKey = `staff-login:address:${clientAddress}`;
  const limits = await Promise.all([
    hitRateLimit(ctx.db, loginKey, perLogin.limit, perLogin.windowSeconds),
    hitRateLimit(ctx.db, addressKey, perAddress.limit, perAddress.windowSeconds),
  ]);
  if (limits.some((limit) => !limit.allowed)) {
    const retryAfterSeconds = Math.max(...limits.map((limit) => limit.retryAfterSeconds));
    ctx.logger.warn({ clientAddress }, 'staff login rate limited');
    return { ok: false, reason: 'rate_limited', retryAfterSeconds };
  }

  const user = await findStaffUserByLogin(ctx.db, input.login);
  const passwordHash = user?.passwordHash ?? (await DUMMY_PASSWORD_HASH);
  const passwordMatches = await verifyPassword(passwordHash, input.password);
  const succeeded = user !== undefined && passwordMatches && user.disabledAt === null;

  await recordAuditEvent(ctx.db, {
    districtId: user?.districtId ?? null,
    actorType: 'staff',
    actorId: user?.id ?? null,
    action: succeeded ? 'staff.login' : 'staff.login_failed',
    detail: { clientAddress },
    createdAt: now,
  });
  if (!succeeded) return { ok: false, reason: 'invalid' };
  await Promise.all([
    refundRateLimit(ctx.db, loginKey),
    refundRateLimit(ctx.db, addressKey),
    recordStaffLogin(ctx.db, user.id, now),
  ]);
  return { ok: true, staffUserId: user.id };
}

/** Logout: ends the session and leaves the matching audit row to the login's. */
export async function signOutStaff(
  ctx: WebContext,
  token: string,
  staff: { id: number; scope: { districtId: number } },
  now: Date,
): Promise<void> {
  await endSession(ctx.db, token);
  await recordAuditEvent(ctx.db, {
    districtId: staff.scope.districtId,
    actorType: 'staff',
    actorId: staff.id,
    action: 'staff.logout',
    createdAt: now,
  });
}
