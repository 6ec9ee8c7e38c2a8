import { and, asc, eq, inArray, sql } from 'drizzle-orm';
import type { StudentStatus } from '@renraku/shared';
import type { Db, Tx } from '../client';
import { chunksOf } from './chunks';
import { liveRegistrationOf } from './live-registrations';
import { type RosterPhone, classes, households, students } from '../schema';

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

/** A student row as import and roll-over compare it with a file. */
export interface RosterStudent {
  id: number;
  rosterNumber: string;
  classId: number;
  householdId: number;
  name: string;
  kana: string;
  status: StudentStatus;
}

const rosterStudentColumns = {
  id: students.id,
  rosterNumber: students.rosterNumber,
  classId: students.classId,
  householdId: students.householdId,
  name: students.name,
  kana: students.kana,
  status: students.status,
};

/** Every student row of the school, whatever the status: roster numbers stay unique over years. */
export async function listSchoolStudents(db: Db | Tx, schoolId: number): Promise<RosterStudent[]> {
  return db.select(rosterStudentColumns).from(students).where(eq(students.schoolId, schoolId));
}

/** Transfer out checks that the student belongs to the admin's school. */
export async function findRosterStudent(
  db: Db | Tx,
  studentId: number,
): Promise<(RosterStudent & { schoolId: number }) | undefined> {
  const [row] = await db
    .select({ ...rosterStudentColumns, schoolId: students.schoolId })
    .from(students)
    .where(eq(students.id, studentId));
  return row;
}

/** createStudents in chunks: a 20,000-row roster is more parameters than one statement takes. */
export async function insertStudentsInChunks(
  db: Db | Tx,
  rows: readonly NewStudent[],
): Promise<void> {
  for (const chunk of chunksOf(rows)) await createStudents(db, chunk);
}

/** The columns a re-import may change on a student. */
export interface StudentUpdate {
  id: number;
  classId: number;
  householdId: number;
  name: string;
  kana: string;
}

/** A re-import's changes; the student is (again) enrolled, e.g. a transferred child who returns. */
export async function updateStudents(db: Db | Tx, rows: readonly StudentUpdate[]): Promise<void> {
  for (const chunk of chunksOf(rows)) {
    const values = sql.join(
      chunk.map(
        (row) =>
          sql`(${row.id}::int, ${row.classId}::int, ${row.householdId}::int, ${row.name}::text, ${row.kana}::text)`,
      ),
      sql`, `,
    );
    await db.execute(sql`
      update students s
         set class_id = v.class_id, household_id = v.household_id, name = v.name, kana = v.kana,
             status = 'enrolled', updated_at = now()
        from (values ${values}) as v(id, class_id, household_id, name, kana)
       where s.id = v.id`);
  }
}

/** Roll-over: each enrolled student into next year's class. */
export async function moveStudents(
  db: Db | Tx,
  moves: readonly { id: number; classId: number }[],
): Promise<void> {
  for (const chunk of chunksOf(moves)) {
    const values = sql.join(
      chunk.map((move) => sql`(${move.id}::int, ${move.classId}::int)`),
      sql`, `,
    );
    await db.execute(sql`
      update students s set class_id = v.class_id, updated_at = now()
        from (values ${values}) as v(id, class_id)
       where s.id = v.id`);
  }
}

/**
 * Graduation and transfer: a student that a past message targeted stays (the call-list history
 * needs the name, class and household) with the new status; any other is deleted outright.
 */
export async function endEnrolment(
  db: Db | Tx,
  studentIds: readonly number[],
  status: Exclude<StudentStatus, 'enrolled'>,
): Promise<{ kept: number; deleted: number }> {
  let kept = 0;
  let deleted = 0;
  for (const chunk of chunksOf(studentIds)) {
    const gone = await db
      .delete(students)
      .where(
        and(
          inArray(students.id, chunk),
          sql`not exists (select 1 from message_students m where m.student_id = ${students.id})`,
        ),
      )
      .returning({ id: students.id });
    deleted += gone.length;
    const marked = await db
      .update(students)
      .set({ status, updatedAt: sql`now()` })
      .where(inArray(students.id, chunk))
      .returning({ id: students.id });
    kept += marked.length;
  }
  return { kept, deleted };
}

/** A roster row for the admin pages: the school's own data, never an address. */
export interface RosterListEntry {
  id: number;
  rosterNumber: string;
  classId: number;
  grade: number;
  className: string;
  name: string;
  kana: string;
  householdKey: string;
  phones: RosterPhone[];
  /** Some registration matched to this student has an address that is not dead. */
  registered: boolean;
}

/** The enrolled students in the given classes with their household and registration state. */
export async function listEnrolledStudents(
  db: Db | Tx,
  classIds: readonly number[],
): Promise<RosterListEntry[]> {
  if (classIds.length === 0) return [];
  return db
    .select({
      id: students.id,
      rosterNumber: students.rosterNumber,
      classId: students.classId,
      grade: classes.grade,
      className: classes.name,
      name: students.name,
      kana: students.kana,
      householdKey: households.householdKey,
      phones: households.phones,
      registered: sql<boolean>`${liveRegistrationOf(sql`${students.id}`)}`,
    })
    .from(students)
    .innerJoin(classes, eq(classes.id, students.classId))
    .innerJoin(households, eq(households.id, students.householdId))
    .where(and(inArray(students.classId, [...classIds]), eq(students.status, 'enrolled')))
    .orderBy(asc(classes.grade), asc(classes.sortOrder), asc(classes.name), asc(students.kana));
}

/**
 * Retention: deletes the graduated and transferred students no kept message refers to (the
 * roll-over and 転出 keep them only for those); returns each one's district.
 */
export async function deleteLeftStudents(db: Db | Tx): Promise<number[]> {
  const gone = await db
    .delete(students)
    .where(
      and(
        sql`${students.status} <> 'enrolled'`,
        sql`not exists (select 1 from message_students m where m.student_id = ${students.id})`,
      ),
    )
    .returning({ districtId: students.districtId });
  return gone.map((row) => row.districtId);
}
