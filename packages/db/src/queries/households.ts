import type { Db, Tx } from '../client';
import { households } from '../schema';

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
