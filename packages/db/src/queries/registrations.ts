import type { Db, Tx } from '../client';
import { registrations } from '../schema';

export type Registration = typeof registrations.$inferSelect;
export type NewRegistration = typeof registrations.$inferInsert;

/** Registrations in one statement (demo seed); ids come back with the login ID to match them. */
export function createRegistrations(
  db: Db | Tx,
  rows: NewRegistration[],
): Promise<Pick<Registration, 'id' | 'loginId'>[]> {
  return db
    .insert(registrations)
    .values(rows)
    .returning({ id: registrations.id, loginId: registrations.loginId });
}
