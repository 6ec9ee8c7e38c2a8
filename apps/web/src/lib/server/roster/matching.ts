import {
  listSchoolRegistrations,
  listSchoolStudents,
  relinkRegistrations,
  type Db,
  type Tx,
} from '@renraku/db';
import { kanaMatchKey, nameMatchKey } from '@renraku/shared';

/** Counts after matching, so the admin sees how many parents are still unmatched. */
export interface MatchSummary {
  /** Registrations linked to a roster student afterwards. */
  matched: number;
  /** Registrations no roster student fits (the parent mistyped, or the roster lacks the child). */
  unmatched: number;
  /** Registrations whose student or class this call changed. */
  changed: number;
}

interface Candidate {
  id: number;
  classId: number;
  kanaKey: string;
  nameKey: string;
}

/**
 * Links each registration of the school to its roster student: the same class (so the same
 * grade and school year) and the same kana or name, compared in normalized form; a student
 * matching on both beats one matching on either, and a tie links nobody. A registration that
 * is already linked stays with its student while the kana or name still fits and follows the
 * student's class, because the roster (the school) is right about classes. Run after every
 * roster change; idempotent.
 */
export async function matchRegistrations(db: Db | Tx, schoolId: number): Promise<MatchSummary> {
  const enrolled = new Map<number, Candidate>();
  const byClass = new Map<number, Candidate[]>();
  for (const student of await listSchoolStudents(db, schoolId)) {
    if (student.status !== 'enrolled') continue;
    const candidate = {
      id: student.id,
      classId: student.classId,
      kanaKey: kanaMatchKey(student.kana),
      nameKey: nameMatchKey(student.name),
    };
    enrolled.set(student.id, candidate);
    byClass.set(student.classId, [...(byClass.get(student.classId) ?? []), candidate]);
  }

  const changes: { id: number; studentId: number | null; classId: number }[] = [];
  const registrations = await listSchoolRegistrations(db, schoolId);
  let matched = 0;
  for (const registration of registrations) {
    const kanaKey = kanaMatchKey(registration.childKana);
    const nameKey = nameMatchKey(registration.childName);
    const score = (c: Candidate) => Number(c.kanaKey === kanaKey) + Number(c.nameKey === nameKey);
    const current =
      registration.studentId === null ? undefined : enrolled.get(registration.studentId);
    const student =
      current && score(current) > 0
        ? current
        : bestCandidate(byClass.get(registration.classId) ?? [], score);
    const classId = student?.classId ?? registration.classId;
    const studentId = student?.id ?? null;
    if (studentId !== null) matched += 1;
    if (studentId !== registration.studentId || classId !== registration.classId) {
      changes.push({ id: registration.id, studentId, classId });
    }
  }
  await relinkRegistrations(db, changes);
  return { matched, unmatched: registrations.length - matched, changed: changes.length };
}

function bestCandidate(
  candidates: readonly Candidate[],
  score: (candidate: Candidate) => number,
): Candidate | undefined {
  let best: Candidate | undefined;
  let bestScore = 0;
  let tied = false;
  for (const candidate of candidates) {
    const value = score(candidate);
    if (value > bestScore) {
      best = candidate;
      bestScore = value;
      tied = false;
    } else if (value === bestScore && value > 0) {
      tied = true;
    }
  }
  return tied ? undefined : best;
}
