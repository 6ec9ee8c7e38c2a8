import type { Cookies } from '@sveltejs/kit';
import { randomToken, sign, verifySignature } from '@renraku/shared/crypto';
import type { WebContext } from '#server/context';

// A known device: a browser in which a staff member has logged in before carries a signed
// cookie naming that account and a random device id. A lock that an attacker caused by
// guessing (from any address) does not hold for it; its own failures are limited on their own.
// One cookie per browser: on a shared staff-room PC it names the last account that logged in.

export const KNOWN_DEVICE_COOKIE = 'renraku_device';
const MAX_AGE_SECONDS = 180 * 24 * 3600;
const SIGNATURE_LENGTH = 32;

export interface KnownDevice {
  staffUserId: number;
  deviceId: string;
}

const signed = (device: KnownDevice) => `known-device:${device.staffUserId}:${device.deviceId}`;

/** The device this browser proved to be, or null (no cookie, a forged or altered one). */
export function knownDeviceOf(cookies: Cookies, ctx: Pick<WebContext, 'keys'>): KnownDevice | null {
  const match = /^(\d{1,10})\.([A-Za-z0-9_-]{16,64})\.([A-Za-z0-9_-]+)$/.exec(
    cookies.get(KNOWN_DEVICE_COOKIE) ?? '',
  );
  if (!match) return null;
  const device = { staffUserId: Number(match[1]), deviceId: match[2]! };
  return verifySignature(ctx.keys, signed(device), match[3]!, SIGNATURE_LENGTH) ? device : null;
}

/** After a successful login: this browser is a known device of the account from now on. */
export function rememberDevice(
  cookies: Cookies,
  ctx: Pick<WebContext, 'keys' | 'env'>,
  staffUserId: number,
  previous: KnownDevice | null,
): void {
  const device = {
    staffUserId,
    deviceId: previous?.staffUserId === staffUserId ? previous.deviceId : randomToken(16),
  };
  cookies.set(
    KNOWN_DEVICE_COOKIE,
    `${device.staffUserId}.${device.deviceId}.${sign(ctx.keys, signed(device), SIGNATURE_LENGTH)}`,
    {
      path: '/staff/login',
      httpOnly: true,
      sameSite: 'strict',
      secure: ctx.env.secureCookies,
      maxAge: MAX_AGE_SECONDS,
    },
  );
}
