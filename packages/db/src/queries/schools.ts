import { and, asc, eq } from 'drizzle-orm';
import type { Db, Tx } from '../client';
import { districts, schools } from '../schema';

export type School = typeof schools.$inferSelect;
export type NewSchool = typeof schools.$inferInsert;

/** Many schools in one statement, for the demo seed and bulk set-up. */
export function createSchools(db: Db | Tx, rows: NewSchool[]): Promise<School[]> {
  return db.insert(schools).values(rows).returning();
}

/** A school code is unique within its district only. */
export async function findSchoolByCode(
  db: Db | Tx,
  districtId: number,
  code: string,
): Promise<School | undefined> {
  const [school] = await db
    .select()
    .from(schools)
    .where(and(eq(schools.districtId, districtId), eq(schools.code, code)))
    .limit(1);
  return school;
}

/** The operator's overview: every school with the address parents send their empty mail to. */
export function listSchoolsWithDistrict(db: Db | Tx, districtId?: number) {
  return db
    .select({
      id: schools.id,
      districtCode: districts.code,
      code: schools.code,
      name: schools.name,
      kind: schools.kind,
      registrationAddress: schools.registrationAddress,
    })
    .from(schools)
    .innerJoin(districts, eq(districts.id, schools.districtId))
    .where(districtId === undefined ? undefined : eq(schools.districtId, districtId))
    .orderBy(asc(districts.id), asc(schools.sortOrder), asc(schools.code));
}
