import type { Db, Tx } from '../client';
import { students } from '../schema';

export type Student = typeof students.$inferSelect;
export type NewStudent = typeof students.$inferInsert;

/** Roster rows in one statement; callers match the ids back by (school, roster number). */
export function createStudents(
  db: Db | Tx,
  rows: NewStudent[],
): Promise<Pick<Student, 'id' | 'schoolId' | 'rosterNumber'>[]> {
  return db.insert(students).values(rows).returning({
    id: students.id,
    schoolId: students.schoolId,
    rosterNumber: students.rosterNumber,
  });
}
