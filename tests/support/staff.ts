import { schema, type Db } from '@renraku/db';
import type { StaffRole } from '@renraku/shared';
import { hashPassword } from '@renraku/shared/password';

// The integration suites log staff in through the real login form, so their staff users need a
// known password; they are all made here, one way.

/** Every test staff account's password (long enough for the staff password rule). */
export const STAFF_PASSWORD = 'correct horse battery staple';

/** A staff user who can log in with STAFF_PASSWORD; returns the stored row. */
export async function createLoginStaff(
  db: Db,
  values: {
    districtId: number;
    login: string;
    role: StaffRole;
    displayName: string;
    schoolId?: number;
    classId?: number;
    disabledAt?: Date;
  },
) {
  const [row] = await db
    .insert(schema.staffUsers)
    .values({ ...values, passwordHash: await hashPassword(STAFF_PASSWORD) })
    .returning();
  return row!;
}
