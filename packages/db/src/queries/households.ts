import { and, eq, sql } from 'drizzle-orm';
import type { Db, Tx } from '../client';
import { chunksOf } from './chunks';
import { type RosterPhone, households } from '../schema';

export type Household = typeof households.$inferSelect;
export type NewHousehold = typeof households.$inferInsert;

/** Households in one statement; callers match the ids back by (school, household key). */
export function createHouseholds(
  db: Db | Tx,
  rows: NewHousehold[],
): Promise<Pick<Household, 'id' | 'schoolId' | 'householdKey'>[]> {
  return db.insert(households).values(rows).returning({
    id: households.id,
    schoolId: households.schoolId,
    householdKey: households.householdKey,
  });
}

/** A household as import compares it: key and phones. */
export interface RosterHousehold {
  id: number;
  householdKey: string;
  phones: RosterPhone[];
}

/** Import resolves household keys to ids and compares phones in memory. */
export async function listSchoolHouseholds(
  db: Db | Tx,
  schoolId: number,
): Promise<RosterHousehold[]> {
  return db
    .select({ id: households.id, householdKey: households.householdKey, phones: households.phones })
    .from(households)
    .where(eq(households.schoolId, schoolId));
}

/** Creates households or replaces their phones; returns the id of every key given. */
export async function upsertHouseholds(
  db: Db | Tx,
  owner: { districtId: number; schoolId: number },
  rows: readonly { householdKey: string; phones: RosterPhone[] }[],
): Promise<{ id: number; householdKey: string }[]> {
  const result: { id: number; householdKey: string }[] = [];
  for (const chunk of chunksOf(rows)) {
    result.push(
      ...(await db
        .insert(households)
        .values(chunk.map((row) => ({ ...owner, ...row })))
        .onConflictDoUpdate({
          target: [households.schoolId, households.householdKey],
          set: { phones: sql`excluded.phones`, updatedAt: sql`now()` },
        })
        .returning({ id: households.id, householdKey: households.householdKey })),
    );
  }
  return result;
}

/**
 * Deletes the households (of one school, or of the whole installation when `schoolId` is null)
 * that neither a student nor a kept message refers to; returns each one's district.
 */
export async function deleteOrphanHouseholds(
  db: Db | Tx,
  schoolId: number | null,
): Promise<number[]> {
  const gone = await db
    .delete(households)
    .where(
      and(
        schoolId === null ? undefined : eq(households.schoolId, schoolId),
        sql`not exists (select 1 from students s where s.household_id = ${households.id})`,
        sql`not exists (select 1 from message_students m where m.household_id = ${households.id})`,
      ),
    )
    .returning({ districtId: households.districtId });
  return gone.map((row) => row.districtId);
}
