import { and, asc, eq, sql } from 'drizzle-orm';
import type { ScopeFilter } from '@renraku/shared';
import { rowsOf, type Db, type Tx } from '../client';
import { liveRegisteredStudents } from './live-registrations';
import { schoolOrder } from './schools';
import { classes, schools } from '../schema';

// The registration statistics (登録状況): a read model over classes, students and registrations.

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
  filter: ScopeFilter,
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
export async function listFigureClasses(db: Db | Tx, filter: ScopeFilter): Promise<FigureClass[]> {
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
