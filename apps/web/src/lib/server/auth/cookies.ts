import type { Cookies } from '@sveltejs/kit';
import type { WebContext } from '#server/context';
import {
  endSession,
  SESSION_COOKIE,
  sessionPolicy,
  startSession,
  type SessionKind,
  type SessionOwner,
} from './sessions';

/**
 * HttpOnly (no script reads it), SameSite=Lax (not sent on cross-site posts), Secure when the
 * site is https. No Max-Age: the cookie ends with the browser, the session by its timeouts.
 */
function cookieOptions(ctx: WebContext) {
  return { path: '/', httpOnly: true, sameSite: 'lax', secure: ctx.env.secureCookies } as const;
}

/**
 * After a successful login (staff or parent): the session this browser had is ended and a
 * new one with a new id is issued, so a session id planted before login is worthless.
 */
export async function beginSession(
  cookies: Cookies,
  ctx: WebContext,
  owner: SessionOwner,
  now: Date,
): Promise<void> {
  const previous = cookies.get(SESSION_COOKIE[owner.kind]);
  if (previous) await endSession(ctx.db, previous);
  const policy = sessionPolicy(ctx.env.sessions, owner.kind);
  const token = await startSession(ctx.db, owner, policy, now);
  cookies.set(SESSION_COOKIE[owner.kind], token, cookieOptions(ctx));
}

/** The session token this browser holds for `kind`, if any (logout needs it). */
export function sessionToken(cookies: Cookies, kind: SessionKind): string | undefined {
  return cookies.get(SESSION_COOKIE[kind]);
}

export function clearSessionCookie(cookies: Cookies, ctx: WebContext, kind: SessionKind): void {
  cookies.delete(SESSION_COOKIE[kind], cookieOptions(ctx));
}
