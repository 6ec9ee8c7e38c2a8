import { and, asc, eq, inArray, max, sql, type SQL } from 'drizzle-orm';
import type { SchoolKind, StudentStatus } from '@renraku/shared';
import { rowsOf, type Db, type Tx } from '../client';
import { schoolOrder } from './schools';
import { createStudents, type NewStudent } from './students';
import {
  type RosterPhone,
  addresses,
  classes,
  households,
  registrations,
  schools,
  staffUsers,
  students,
} from '../schema';

// School administration: roster import, year roll-over, transfer out, auth codes and the
// registration figures. Bulk writes go in chunks so that a 20,000-row roster stays within
// PostgreSQL's parameter limit and one transaction.

const CHUNK = 1000;

function chunksOf<T>(rows: readonly T[]): T[][] {
  const chunks: T[][] = [];
  for (let i = 0; i < rows.length; i += CHUNK) chunks.push(rows.slice(i, i + CHUNK));
  return chunks;
}

/** What school administration needs of a school, including its secret auth code. */
export interface RosterSchool {
  id: number;
  districtId: number;
  code: string;
  name: string;
  kind: SchoolKind;
  registrationAddress: string;
  authCode: string;
  authCodeRotatedAt: Date;
}

/** Every roster service starts here: the scope check needs the district, sheets need the rest. */
export async function findRosterSchool(
  db: Db | Tx,
  schoolId: number,
): Promise<RosterSchool | undefined> {
  const [school] = await db
    .select({
      id: schools.id,
      districtId: schools.districtId,
      code: schools.code,
      name: schools.name,
      kind: schools.kind,
      registrationAddress: schools.registrationAddress,
      authCode: schools.authCode,
      authCodeRotatedAt: schools.authCodeRotatedAt,
    })
    .from(schools)
    .where(eq(schools.id, schoolId));
  return school;
}

/** Serialises imports, roll-overs and transfers of one school: each plans from what it locked. */
export async function lockRosterSchool(tx: Tx, schoolId: number): Promise<void> {
  await tx.execute(sql`select id from schools where id = ${schoolId} for update`);
}

/** The newest school year the school has classes for (a roll-over in March already counts). */
export async function latestSchoolYearOf(db: Db | Tx, schoolId: number): Promise<number | null> {
  const [row] = await db
    .select({ year: max(classes.schoolYear) })
    .from(classes)
    .where(eq(classes.schoolId, schoolId));
  return row?.year ?? null;
}

/** A class as roster work needs it, including the optional class auth code. */
export interface RosterClass {
  id: number;
  schoolId: number;
  schoolYear: number;
  grade: number;
  name: string;
  sortOrder: number;
  authCode: string | null;
}

const rosterClassColumns = {
  id: classes.id,
  schoolId: classes.schoolId,
  schoolYear: classes.schoolYear,
  grade: classes.grade,
  name: classes.name,
  sortOrder: classes.sortOrder,
  authCode: classes.authCode,
};

/** Imports, sheets and auth codes work on one school year's classes, in display order. */
export async function listClassesOfYear(
  db: Db | Tx,
  schoolId: number,
  schoolYear: number,
): Promise<RosterClass[]> {
  return db
    .select(rosterClassColumns)
    .from(classes)
    .where(and(eq(classes.schoolId, schoolId), eq(classes.schoolYear, schoolYear)))
    .orderBy(asc(classes.grade), asc(classes.sortOrder), asc(classes.name));
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

/** Phones of families the school no longer has, unless a past call list still shows them. */
export async function deleteOrphanHouseholds(db: Db | Tx, schoolId: number): Promise<number> {
  const gone = await db
    .delete(households)
    .where(
      and(
        eq(households.schoolId, schoolId),
        sql`not exists (select 1 from students s where s.household_id = ${households.id})`,
        sql`not exists (select 1 from message_students m where m.household_id = ${households.id})`,
      ),
    )
    .returning({ id: households.id });
  return gone.length;
}

/** What matching compares: the class and the name and kana the parent typed. */
export interface RegistrationForMatching {
  id: number;
  classId: number;
  studentId: number | null;
  childName: string;
  childKana: string;
}

/** Matching and roll-over work on all of a school's registrations at once. */
export async function listSchoolRegistrations(
  db: Db | Tx,
  schoolId: number,
): Promise<RegistrationForMatching[]> {
  return db
    .select({
      id: registrations.id,
      classId: registrations.classId,
      studentId: registrations.studentId,
      childName: registrations.childName,
      childKana: registrations.childKana,
    })
    .from(registrations)
    .where(eq(registrations.schoolId, schoolId));
}

/** Sets each registration's roster student and class in one statement per chunk. */
export async function relinkRegistrations(
  db: Db | Tx,
  links: readonly { id: number; studentId: number | null; classId: number }[],
): Promise<void> {
  for (const chunk of chunksOf(links)) {
    const values = sql.join(
      chunk.map((link) => sql`(${link.id}::int, ${link.studentId}::int, ${link.classId}::int)`),
      sql`, `,
    );
    await db.execute(sql`
      update registrations r set student_id = v.student_id, class_id = v.class_id, updated_at = now()
        from (values ${values}) as v(id, student_id, class_id)
       where r.id = v.id`);
  }
}

/** How many addresses hang on these registrations (for previews and the audit). */
export async function countAddressesOf(
  db: Db | Tx,
  registrationIds: readonly number[],
): Promise<number> {
  let total = 0;
  for (const chunk of chunksOf(registrationIds)) {
    const [row] = await db
      .select({ count: sql<number>`count(*)::int` })
      .from(addresses)
      .where(inArray(addresses.registrationId, chunk));
    total += row?.count ?? 0;
  }
  return total;
}

/** Deletes registrations; their addresses, tokens and sessions go with them (cascade). */
export async function deleteRegistrations(
  db: Db | Tx,
  registrationIds: readonly number[],
): Promise<{ registrations: number; addresses: number }> {
  const addressCount = await countAddressesOf(db, registrationIds);
  let registrationCount = 0;
  for (const chunk of chunksOf(registrationIds)) {
    const gone = await db
      .delete(registrations)
      .where(inArray(registrations.id, chunk))
      .returning({ id: registrations.id });
    registrationCount += gone.length;
  }
  return { registrations: registrationCount, addresses: addressCount };
}

/** Teachers still assigned to last year's classes after a roll-over, for the admin to reassign. */
export async function countTeachersOfClasses(
  db: Db | Tx,
  classIds: readonly number[],
): Promise<number> {
  if (classIds.length === 0) return 0;
  const [row] = await db
    .select({ count: sql<number>`count(*)::int` })
    .from(staffUsers)
    .where(and(eq(staffUsers.role, 'teacher'), inArray(staffUsers.classId, [...classIds])));
  return row?.count ?? 0;
}

/** Rotation: the old code stops working for new registrations at once. */
export async function setSchoolAuthCode(
  db: Db | Tx,
  schoolId: number,
  authCode: string,
): Promise<Date> {
  const [row] = await db
    .update(schools)
    .set({ authCode, authCodeRotatedAt: sql`now()` })
    .where(eq(schools.id, schoolId))
    .returning({ rotatedAt: schools.authCodeRotatedAt });
  if (!row) throw new Error(`school ${schoolId} does not exist`);
  return row.rotatedAt;
}

/** A null code makes the class use the school's code again. */
export async function setClassAuthCode(
  db: Db | Tx,
  classId: number,
  authCode: string | null,
): Promise<void> {
  await db.update(classes).set({ authCode }).where(eq(classes.id, classId));
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

/** A household is reachable by mail through a student when a registration has a live address. */
const liveRegistrations = sql`registrations r
  join addresses a on a.registration_id = r.id and a.health <> 'dead'`;

/** Whether one student is reachable (liveRegistrations), for a few students. */
function liveRegistrationOf(studentId: SQL): SQL {
  return sql`exists (select 1 from ${liveRegistrations} where r.student_id = ${studentId})`;
}

/**
 * The district's reachable students (liveRegistrations) as one set, to join: for a whole city
 * one hash join instead of two index probes per student (~1.7× faster on 30,000 students).
 */
function liveRegisteredStudents(districtId: number): SQL {
  return sql`(select distinct r.student_id from ${liveRegistrations}
    where r.district_id = ${districtId})`;
}

/** Which classes the figures cover: a district, one school, or one class. */
export interface StatisticsFilter {
  districtId: number;
  schoolId?: number;
  classId?: number;
}

/** One figure row: a class, a grade (classId null) or a whole school (grade null). */
export interface RegistrationFigure {
  schoolId: number;
  grade: number | null;
  classId: number | null;
  rosterHouseholds: number;
  registeredHouseholds: number;
}

/**
 * Roster households and registered households per class, grade and school, counted with
 * distinct households so that siblings count once per group. A household is registered for a
 * group when one of its enrolled students in that group has a live registration. Without a
 * class filter only each school's newest school year counts.
 */
export async function registrationFigures(
  db: Db | Tx,
  filter: StatisticsFilter,
): Promise<RegistrationFigure[]> {
  const conditions = [sql`c.district_id = ${filter.districtId}`];
  if (filter.schoolId !== undefined) conditions.push(sql`c.school_id = ${filter.schoolId}`);
  if (filter.classId !== undefined) {
    conditions.push(sql`c.id = ${filter.classId}`);
  } else {
    conditions.push(
      sql`c.school_year = (select max(c2.school_year) from classes c2 where c2.school_id = c.school_id)`,
    );
  }
  const result = await db.execute(sql`
    with figures as (
      select c.school_id, c.grade, c.id as class_id, s.household_id,
             live.student_id is not null as registered
        from classes c
        left join students s on s.class_id = c.id and s.status = 'enrolled'
        left join ${liveRegisteredStudents(filter.districtId)} live on live.student_id = s.id
       where ${sql.join(conditions, sql` and `)}
    )
    select school_id as "schoolId",
           case when grouping(grade) = 0 then grade end as "grade",
           case when grouping(class_id) = 0 then class_id end as "classId",
           count(distinct household_id)::int as "rosterHouseholds",
           (count(distinct household_id) filter (where registered))::int as "registeredHouseholds"
      from figures
     group by grouping sets ((school_id, grade, class_id), (school_id, grade), (school_id))`);
  return rowsOf<RegistrationFigure>(result);
}

/** A class row of the statistics, with the names the figures lack. */
export interface FigureClass {
  classId: number;
  schoolId: number;
  schoolName: string;
  grade: number;
  className: string;
  unmatchedRegistrations: number;
}

/** Names for the figures, plus registrations no roster student matched (a name to chase up). */
export async function listFigureClasses(
  db: Db | Tx,
  filter: StatisticsFilter,
): Promise<FigureClass[]> {
  const conditions = [eq(classes.districtId, filter.districtId)];
  if (filter.schoolId !== undefined) conditions.push(eq(classes.schoolId, filter.schoolId));
  if (filter.classId !== undefined) {
    conditions.push(eq(classes.id, filter.classId));
  } else {
    conditions.push(
      sql`${classes.schoolYear} = (select max(c2.school_year) from classes c2 where c2.school_id = ${classes.schoolId})`,
    );
  }
  return db
    .select({
      classId: classes.id,
      schoolId: classes.schoolId,
      schoolName: schools.name,
      grade: classes.grade,
      className: classes.name,
      unmatchedRegistrations: sql<number>`(select count(*)::int from registrations r
        where r.class_id = ${classes.id} and r.student_id is null)`,
    })
    .from(classes)
    .innerJoin(schools, eq(schools.id, classes.schoolId))
    .where(and(...conditions))
    .orderBy(schoolOrder(), asc(classes.grade), asc(classes.sortOrder), asc(classes.name));
}
