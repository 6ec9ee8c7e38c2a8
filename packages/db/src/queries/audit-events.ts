import type { Db, Tx } from '../client';
import { auditEvents } from '../schema';

export type NewAuditEvent = typeof auditEvents.$inferInsert;

/** Every change an operator or staff member makes leaves a row; callers never put an address in. */
export async function recordAuditEvent(db: Db | Tx, event: NewAuditEvent): Promise<void> {
  await db.insert(auditEvents).values(event);
}
