import {
  findRegistrationPlace,
  findRosterSchool,
  listEnrolledStudents,
  listUnmatchedRegistrations,
  placeRegistration,
  recordAuditEvent,
  type Db,
  type RosterSchool,
  type UnmatchedRegistration,
} from '@renraku/db';
import { ServiceError, type StaffScope } from '@renraku/shared';
import { currentClasses } from './classes';
import { childKeysOf, matchRegistrations, matchScore } from './matching';
import type { StaffActor } from './scope';

// Registrations no roster student matches (issue 12 item 5): the school's admins and the
// board see them with the roster students they may be (the same kana or name in another class,
// a kana one or two letters off in the same grade) and link them to one or move them to a
// class. Such a registration keeps getting its chosen class's mail meanwhile, while the roster
// household of its real class is on the call list as unregistered: nobody is missed silently.

/** Why a roster student is offered for a registration. */
export type CandidateReason = 'both' | 'kana' | 'name' | 'similar';

export interface RosterCandidateRow {
  studentId: number;
  name: string;
  kana: string;
  classId: number;
  grade: number;
  className: string;
  reason: CandidateReason;
}

export interface UnmatchedRow extends UnmatchedRegistration {
  candidates: RosterCandidateRow[];
}

export interface UnmatchedListing {
  school: Pick<RosterSchool, 'id' | 'name'>;
  classes: { id: number; grade: number; name: string }[];
  registrations: UnmatchedRow[];
}

/** Offered per registration, best first. */
const MAX_CANDIDATES = 5;

/** The school admins of the school and the board of its district; teachers never. */
async function loadScopedSchool(
  db: Db,
  scope: StaffScope,
  schoolId: number,
): Promise<RosterSchool> {
  if (scope.role === 'teacher') throw new ServiceError('forbidden', 'refusal.unmatched.adminsOnly');
  const school = await findRosterSchool(db, schoolId);
  const inScope =
    school !== undefined &&
    school.districtId === scope.districtId &&
    (scope.role === 'board' || scope.schoolId === schoolId);
  if (!inScope) throw new ServiceError('not_found', 'refusal.unmatched.schoolNotFound');
  return school;
}

/** The school's unmatched registrations with roster candidates and the classes to move to. */
export async function listUnmatched(
  db: Db,
  actor: StaffActor,
  input: { schoolId: number },
): Promise<UnmatchedListing> {
  const school = await loadScopedSchool(db, actor.scope, input.schoolId);
  const current = await currentClasses(db, school.id);
  const classes = current.classes.map(({ id, grade, name }) => ({ id, grade, name }));
  const [registrations, students] = await Promise.all([
    listUnmatchedRegistrations(db, school.id),
    listEnrolledStudents(
      db,
      classes.map((c) => c.id),
    ),
  ]);
  const roster = students.map((student) => ({
    student,
    keys: {
      id: student.id,
      classId: student.classId,
      ...childKeysOf({ childName: student.name, childKana: student.kana }),
    },
  }));
  return {
    school: { id: school.id, name: school.name },
    classes,
    registrations: registrations.map((registration) => {
      const child = childKeysOf(registration);
      const candidates: (RosterCandidateRow & { rank: number })[] = [];
      for (const { student, keys } of roster) {
        const score = matchScore(keys, child);
        const reason: CandidateReason | undefined =
          score === 2
            ? 'both'
            : keys.kanaKey === child.kanaKey
              ? 'kana'
              : keys.nameKey === child.nameKey
                ? 'name'
                : student.grade === registration.grade &&
                    editDistanceAtMost(keys.kanaKey, child.kanaKey, 2)
                  ? 'similar'
                  : undefined;
        if (!reason) continue;
        candidates.push({
          studentId: student.id,
          name: student.name,
          kana: student.kana,
          classId: student.classId,
          grade: student.grade,
          className: student.className,
          reason,
          rank: score * 2 + Number(student.grade === registration.grade),
        });
      }
      candidates.sort((a, b) => b.rank - a.rank);
      return {
        ...registration,
        candidates: candidates.slice(0, MAX_CANDIDATES).map(({ rank: _rank, ...row }) => row),
      };
    }),
  };
}

/** A registration of a school the actor may act on; 404 for anything else. */
async function loadScopedRegistration(db: Db, actor: StaffActor, registrationId: number) {
  if (actor.scope.role === 'teacher')
    throw new ServiceError('forbidden', 'refusal.unmatched.adminsOnly');
  const registration = await findRegistrationPlace(db, registrationId);
  if (!registration || registration.districtId !== actor.scope.districtId) {
    throw new ServiceError('not_found', 'refusal.unmatched.registrationNotFound');
  }
  if (actor.scope.role === 'school_admin' && actor.scope.schoolId !== registration.schoolId) {
    throw new ServiceError('not_found', 'refusal.unmatched.registrationNotFound');
  }
  return registration;
}

/**
 * Links a registration to an enrolled student of its school's current year: it moves into the
 * student's class and takes the roster's spelling of name and kana, so that later roster
 * imports keep the link (matching keeps a link while the kana or name fits). Audited.
 */
export async function matchToStudent(
  db: Db,
  actor: StaffActor,
  input: { registrationId: number; studentId: number },
): Promise<void> {
  const registration = await loadScopedRegistration(db, actor, input.registrationId);
  const { classes } = await currentClasses(db, registration.schoolId);
  const [student] = (
    await listEnrolledStudents(
      db,
      classes.map((c) => c.id),
    )
  ).filter((s) => s.id === input.studentId);
  if (!student) throw new ServiceError('invalid', 'refusal.unmatched.studentNotInRoster');
  await db.transaction(async (tx) => {
    await placeRegistration(tx, registration.id, {
      classId: student.classId,
      studentId: student.id,
      childName: student.name,
      childKana: student.kana,
    });
    await matchRegistrations(tx, registration.schoolId);
    await recordAuditEvent(tx, {
      districtId: registration.districtId,
      schoolId: registration.schoolId,
      actorType: 'staff',
      actorId: actor.staffUserId,
      action: 'registration.match',
      subjectType: 'registration',
      subjectId: String(registration.id),
      detail: {
        schoolId: registration.schoolId,
        studentId: student.id,
        fromClassId: registration.classId,
        toClassId: student.classId,
      },
    });
  });
}

/**
 * Moves a registration to another class of its school's current year and matches it there
 * (it stays unmatched when that class's roster lacks the child). Audited.
 */
export async function moveToClass(
  db: Db,
  actor: StaffActor,
  input: { registrationId: number; classId: number },
): Promise<{ matched: boolean }> {
  const registration = await loadScopedRegistration(db, actor, input.registrationId);
  const { classes } = await currentClasses(db, registration.schoolId);
  if (!classes.some((c) => c.id === input.classId)) {
    throw new ServiceError('invalid', 'refusal.unmatched.classNotCurrent');
  }
  return db.transaction(async (tx) => {
    await placeRegistration(tx, registration.id, { classId: input.classId, studentId: null });
    await matchRegistrations(tx, registration.schoolId);
    const after = await findRegistrationPlace(tx, registration.id);
    const matched = after?.studentId != null;
    await recordAuditEvent(tx, {
      districtId: registration.districtId,
      schoolId: registration.schoolId,
      actorType: 'staff',
      actorId: actor.staffUserId,
      action: 'registration.move',
      subjectType: 'registration',
      subjectId: String(registration.id),
      detail: {
        schoolId: registration.schoolId,
        fromClassId: registration.classId,
        toClassId: after?.classId ?? input.classId,
        matched,
      },
    });
    return { matched };
  });
}

/** Whether two kana keys are at most `limit` single-letter edits apart (a typo, a missing ー). */
function editDistanceAtMost(a: string, b: string, limit: number): boolean {
  if (Math.abs(a.length - b.length) > limit) return false;
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i += 1) {
    const current = [i];
    for (let j = 1; j <= b.length; j += 1) {
      current[j] = Math.min(
        previous[j]! + 1,
        current[j - 1]! + 1,
        previous[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1),
      );
    }
    if (Math.min(...current) > limit) return false;
    previous = current;
  }
  return previous[b.length]! <= limit;
}
