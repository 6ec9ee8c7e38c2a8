import { setTimeout as sleep } from 'node:timers/promises';
import {
  clearCount,
  countSlidingEvent,
  currentCount,
  findStaffUserByLogin,
  hitRateLimit,
  recordAuditEvent,
  recordStaffLogin,
  refundRateLimit,
} from '@renraku/db';
import { scopeSchool, type StaffScope } from '@renraku/shared';
import { DUMMY_PASSWORD_HASH, verifyPassword } from '@renraku/shared/password';
import { z } from 'zod';
import type { WebContext } from '#server/context';
import type { KnownDevice } from './devices';
import { endSession } from './sessions';

/**
 * Brute force is kept out without handing anyone a lock on someone else's account (README,
 * Decisions): failed attempts are limited per (login, address) and, from a known device, per
 * (login, device) — 10 in 15 minutes, refunded on success; per address 100 (a whole city's
 * school network often reaches us through one address). Per login, failures from everywhere
 * are counted in a sliding window: past 10 each attempt waits longer (growing delay), past
 * 100 the login is refused to every browser that is not a known device of the account.
 */
export const STAFF_LOGIN_LIMITS = {
  perSource: { limit: 10, windowSeconds: 900 },
  perAddress: { limit: 100, windowSeconds: 900 },
  perLogin: { delayAfter: 10, lockAfter: 100, windowSeconds: 900 },
} as const;

/** The growing delay before an attempt on a login with `failures` recent failures: 0.25 s doubling to 4 s. */
export function loginDelayMs(failures: number): number {
  const over = failures - STAFF_LOGIN_LIMITS.perLogin.delayAfter;
  return over <= 0 ? 0 : Math.min(250 * 2 ** (over - 1), 4000);
}

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
 * answer after the same work (a dummy hash is verified for an unknown login, every failure is
 * audited, and the limits count the typed login whether it exists or not), so neither the
 * message nor the timing tells which logins exist. `device` is the browser's known-device
 * cookie, if any; it counts only for the account it was issued to.
 */
export async function attemptStaffLogin(
  ctx: WebContext,
  input: StaffLoginInput,
  clientAddress: string,
  now: Date,
  device: KnownDevice | null = null,
): Promise<StaffLoginResult> {
  const { perSource, perAddress, perLogin } = STAFF_LOGIN_LIMITS;
  const login = input.login.toLowerCase();
  const user = await findStaffUserByLogin(ctx.db, input.login);
  const known = device !== null && user !== undefined && device.staffUserId === user.id;
  const source = known ? `device:${device.deviceId}` : `address:${clientAddress}`;
  const sourceKey = `staff-login:source:${login}:${source}`;
  const addressKey = `staff-login:address:${clientAddress}`;
  const loginKey = `staff-login:login:${login}`;
  const limits = await Promise.all([
    hitRateLimit(ctx.db, sourceKey, perSource.limit, perSource.windowSeconds),
    // A known device is not held back by what others do from its network.
    ...(known
      ? []
      : [hitRateLimit(ctx.db, addressKey, perAddress.limit, perAddress.windowSeconds)]),
  ]);
  const failures = known ? 0 : await currentCount(ctx.db, loginKey);
  if (limits.some((limit) => !limit.allowed) || failures >= perLogin.lockAfter) {
    const retryAfterSeconds = Math.max(
      perLogin.windowSeconds * Number(failures >= perLogin.lockAfter),
      ...limits.map((limit) => limit.retryAfterSeconds),
    );
    ctx.logger.warn({ clientAddress }, 'staff login rate limited');
    return { ok: false, reason: 'rate_limited', retryAfterSeconds };
  }
  await sleep(loginDelayMs(failures));

  const passwordHash = user?.passwordHash ?? (await DUMMY_PASSWORD_HASH);
  const passwordMatches = await verifyPassword(passwordHash, input.password);
  const succeeded = user !== undefined && passwordMatches && user.disabledAt === null;

  await recordAuditEvent(ctx.db, {
    districtId: user?.districtId ?? null,
    schoolId: user?.schoolId ?? null,
    actorType: 'staff',
    actorId: user?.id ?? null,
    action: succeeded ? 'staff.login' : 'staff.login_failed',
    detail: { clientAddress, knownDevice: known },
    createdAt: now,
  });
  if (!succeeded) {
    await countSlidingEvent(ctx.db, loginKey, perLogin.windowSeconds);
    return { ok: false, reason: 'invalid' };
  }
  await Promise.all([
    refundRateLimit(ctx.db, sourceKey),
    known ? Promise.resolve() : refundRateLimit(ctx.db, addressKey),
    clearCount(ctx.db, loginKey),
    recordStaffLogin(ctx.db, user.id, now),
  ]);
  return { ok: true, staffUserId: user.id };
}

/** Logout: ends the session and leaves the matching audit row to the login's. */
export async function signOutStaff(
  ctx: WebContext,
  token: string,
  staff: { id: number; scope: StaffScope },
  now: Date,
): Promise<void> {
  await endSession(ctx.db, token);
  await recordAuditEvent(ctx.db, {
    districtId: staff.scope.districtId,
    schoolId: scopeSchool(staff.scope),
    actorType: 'staff',
    actorId: staff.id,
    action: 'staff.logout',
    createdAt: now,
  });
}
