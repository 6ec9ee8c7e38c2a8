import { eq, lte } from 'drizzle-orm';
import type { Db, Tx } from '../client';
import { sessions } from '../schema';

export type Session = typeof sessions.$inferSelect;
export type NewSession = typeof sessions.$inferInsert;

/** Stores a session under the hash of its cookie token; the token itself is never stored. */
export async function createSession(db: Db | Tx, session: NewSession): Promise<void> {
  await db.insert(sessions).values(session);
}

export async function findSession(db: Db | Tx, idHash: string): Promise<Session | undefined> {
  const [found] = await db.select().from(sessions).where(eq(sessions.idHash, idHash)).limit(1);
  return found;
}

/** Records activity, which the idle timeout is measured from. */
export async function touchSession(db: Db | Tx, idHash: string, at: Date): Promise<void> {
  await db.update(sessions).set({ lastSeenAt: at }).where(eq(sessions.idHash, idHash));
}

/** Logout and expiry: the row goes, so the cookie is worthless even if it was copied. */
export async function deleteSession(db: Db | Tx, idHash: string): Promise<void> {
  await db.delete(sessions).where(eq(sessions.idHash, idHash));
}

/** Housekeeping: sessions past their absolute end can never be used again. */
export async function deleteExpiredSessions(db: Db | Tx, now: Date): Promise<number> {
  const removed = await db
    .delete(sessions)
    .where(lte(sessions.expiresAt, now))
    .returning({ idHash: sessions.idHash });
  return removed.length;
}

/** Signs an account out everywhere: after a reset or a disable, old sessions must not go on. */
export async function deleteStaffSessions(db: Db | Tx, staffUserId: number): Promise<number> {
  const deleted = await db
    .delete(sessions)
    .where(eq(sessions.staffUserId, staffUserId))
    .returning({ idHash: sessions.idHash });
  return deleted.length;
}

/** After a password reset every session of the registration ends, a stolen one included. */
export async function deleteParentSessions(db: Db | Tx, registrationId: number): Promise<void> {
  await db.delete(sessions).where(eq(sessions.registrationId, registrationId));
}
