import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { schema } from '@renraku/db';
import { generateVapidKeys } from '@renraku/shared/vapid';
import { asc, eq } from 'drizzle-orm';
import { findRegistration, issueLink, register, type ParentsContext } from '../parents/harness';

// The push tests' parents and subscriptions: a registered parent with a session, and
// subscriptions as a browser's PushSubscription.toJSON() gives them (real P-256 keys).

export const ANDROID_UA =
  'Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Mobile Safari/537.36';

/** VAPID keys for the test web, so /account offers push. */
export function vapidSettings(): Record<string, string> {
  const keys = generateVapidKeys();
  return {
    VAPID_PUBLIC_KEY: keys.publicKey,
    VAPID_PRIVATE_KEY: keys.privateKey,
    VAPID_SUBJECT: 'mailto:board@renraku.test',
  };
}

export interface SubscriptionJson {
  endpoint: string;
  expirationTime: null;
  keys: { p256dh: string; auth: string };
}

/** A subscription of a push service's shape, with a fresh endpoint unless one is given. */
export function fakeSubscription(
  endpoint = `https://fcm.googleapis.com/fcm/send/${randomBytes(12).toString('base64url')}`,
): SubscriptionJson {
  const { publicKey } = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
  const spki = publicKey.export({ type: 'spki', format: 'der' });
  return {
    endpoint,
    expirationTime: null,
    keys: {
      // The last 65 bytes of the SPKI are the uncompressed point.
      p256dh: spki.subarray(spki.length - 65).toString('base64url'),
      auth: randomBytes(16).toString('base64url'),
    },
  };
}

/** A parent registered through the pages, signed in. */
export async function registeredParent(ctx: ParentsContext, loginId: string) {
  const token = await issueLink(ctx, `${loginId}@docomo.ne.jp`);
  const { cookie } = await register(ctx, token, { loginId });
  const registration = await findRegistration(ctx, loginId);
  if (!cookie || !registration) throw new Error(`${loginId} did not register`);
  return { cookie, registrationId: registration.id };
}

/** What the account page's button posts. */
export function postSubscription(
  ctx: ParentsContext,
  cookie: string | undefined,
  body: unknown,
  init: { userAgent?: string; raw?: string } = {},
): Promise<Response> {
  return fetch(`${ctx.base}/account/push`, {
    method: 'POST',
    redirect: 'manual',
    headers: {
      'content-type': 'application/json',
      origin: ctx.base,
      'user-agent': init.userAgent ?? ANDROID_UA,
      ...(cookie ? { cookie } : {}),
    },
    body: init.raw ?? JSON.stringify(body),
  });
}

/** The registration's stored subscription rows, as the database holds them. */
export function pushRowsOf(ctx: ParentsContext, registrationId: number) {
  return ctx.db
    .select()
    .from(schema.pushSubscriptions)
    .where(eq(schema.pushSubscriptions.registrationId, registrationId))
    .orderBy(asc(schema.pushSubscriptions.id));
}
