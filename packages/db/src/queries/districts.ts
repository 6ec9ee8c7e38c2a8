import { asc, eq } from 'drizzle-orm';
import type { Db, Tx } from '../client';
import { districts } from '../schema';

export type District = typeof districts.$inferSelect;

/** Operators and the demo seed name a district by its code, never by its id. */
export async function findDistrictByCode(db: Db | Tx, code: string): Promise<District | undefined> {
  const [district] = await db.select().from(districts).where(eq(districts.code, code)).limit(1);
  return district;
}

/** Every district of the installation, oldest first (usually just one). */
export function listDistricts(db: Db | Tx): Promise<District[]> {
  return db.select().from(districts).orderBy(asc(districts.id));
}

export async function createDistrict(
  db: Db | Tx,
  input: { code: string; name: string },
): Promise<District> {
  const [district] = await db.insert(districts).values(input).returning();
  return district!;
}
