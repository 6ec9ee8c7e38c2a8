import { createSession, deleteSession, findSession, touchSession, type Session } from '@renraku/db';
import { hashToken, randomToken } from '@renraku/shared/crypto';
import type { Db } from '@renraku/db';
import type { WebEnv } from '#server/env';

// Server-side sessions: the cookie carries a random token, the sessions table only its hash.

export type SessionKind = Session['kind'];

/** One cookie per kind, so a parent's and a staff member's sessions never mix. */
export const SESSION_COOKIE: Record<SessionKind, string> = {
  staff: 'renraku_staff',
  parent: 'renraku_parent',
};

export interface SessionPolicy {
  /** Inactivity after which the session ends. */
  idleMs: number;
  /** Lifetime from login, however active. */
  maxMs: number;
}

/** Activity is written at most this often, so browsing does not write on every request. */
const TOUCH_INTERVAL_MS = 60_000;

export function sessionPolicy(config: WebEnv['sessions'], kind: SessionKind): SessionPolicy {
  const idleMinutes = kind === 'staff' ? config.staffIdleMinutes : config.parentIdleMinutes;
  return { idleMs: idleMinutes * 60_000, maxMs: config.maxHours * 3_600_000 };
}

/** Whether a stored session may still be used at `now` (idle and absolute timeouts). */
export function isSessionLive(
  session: Pick<Session, 'lastSeenAt' | 'expiresAt'>,
  policy: SessionPolicy,
  now: Date,
): boolean {
  return (
    now.getTime() < session.expiresAt.getTime() &&
    now.getTime() - session.lastSeenAt.getTime() < policy.idleMs
  );
}

/** Whether this request should record activity (see TOUCH_INTERVAL_MS). */
export function needsTouch(session: Pick<Session, 'lastSeenAt'>, now: Date): boolean {
  return now.getTime() - session.lastSeenAt.getTime() >= TOUCH_INTERVAL_MS;
}

export type SessionOwner =
  { kind: 'staff'; staffUserId: number } | { kind: 'parent'; registrationId: number };

/** A new session with a new random id (never a reused one); returns the cookie token. */
export async function startSession(
  db: Db,
  owner: SessionOwner,
  policy: SessionPolicy,
  now: Date,
): Promise<string> {
  const token = randomToken();
  await createSession(db, {
    ...owner,
    idHash: hashToken(token),
    createdAt: now,
    lastSeenAt: now,
    expiresAt: new Date(now.getTime() + policy.maxMs),
  });
  return token;
}

/** The live session behind a cookie token, recording activity; an expired one is deleted. */
export async function resumeSession(
  db: Db,
  kind: SessionKind,
  token: string,
  policy: SessionPolicy,
  now: Date,
): Promise<Session | undefined> {
  const idHash = hashToken(token);
  const session = await findSession(db, idHash);
  if (!session || session.kind !== kind) return undefined;
  if (!isSessionLive(session, policy, now)) {
    await deleteSession(db, idHash);
    return undefined;
  }
  if (needsTouch(session, now)) await touchSession(db, idHash, now);
  return session;
}

/** Logout: the row is deleted, so a copied cookie stops working too. */
export async function endSession(db: Db, token: string): Promise<void> {
  await deleteSession(db, hashToken(token));
}
