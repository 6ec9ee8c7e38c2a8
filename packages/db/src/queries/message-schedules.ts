import { and, asc, desc, eq } from 'drizzle-orm';
import type { Db, Tx } from '../client';
import { messageSchedules, staffUsers } from '../schema';

// The board's recurring monthly mail. Turning a due schedule into a message is runDueSchedule
// (queries/messages.ts), which the dispatcher's loop calls; these are the board's page's verbs.

export type MessageSchedule = typeof messageSchedules.$inferSelect;
export type NewMessageSchedule = Omit<
  typeof messageSchedules.$inferInsert,
  'id' | 'active' | 'createdAt'
>;

/** Stores a schedule whose first run the caller has computed (nextMonthlyRun). */
export async function createMessageSchedule(
  db: Db | Tx,
  input: NewMessageSchedule,
): Promise<MessageSchedule> {
  const [created] = await db.insert(messageSchedules).values(input).returning();
  return created!;
}

/** The district's schedules for the board's page: active first, then newest; with the author. */
export function listMessageSchedules(db: Db | Tx, districtId: number) {
  return db
    .select({
      id: messageSchedules.id,
      category: messageSchedules.category,
      subject: messageSchedules.subject,
      body: messageSchedules.body,
      target: messageSchedules.target,
      dayOfMonth: messageSchedules.dayOfMonth,
      timeOfDay: messageSchedules.timeOfDay,
      nextRunAt: messageSchedules.nextRunAt,
      active: messageSchedules.active,
      authorName: staffUsers.displayName,
    })
    .from(messageSchedules)
    .leftJoin(staffUsers, eq(staffUsers.id, messageSchedules.authorId))
    .where(eq(messageSchedules.districtId, districtId))
    .orderBy(desc(messageSchedules.active), asc(messageSchedules.nextRunAt));
}

/**
 * Stops a schedule of the district (never another district's, whatever the id says). Returns
 * whether an active schedule was stopped.
 */
export async function deactivateMessageSchedule(
  db: Db | Tx,
  districtId: number,
  scheduleId: number,
): Promise<boolean> {
  const stopped = await db
    .update(messageSchedules)
    .set({ active: false })
    .where(
      and(
        eq(messageSchedules.id, scheduleId),
        eq(messageSchedules.districtId, districtId),
        eq(messageSchedules.active, true),
      ),
    )
    .returning({ id: messageSchedules.id });
  return stopped.length > 0;
}
