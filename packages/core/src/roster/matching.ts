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

/** An enrolled roster student as matching compares them (normalized kana and name). */
export interface RosterCandidate {
  id: number;
  classId: number;
  kanaKey: string;
  nameKey: string;
}

/** A school's enrolled students, by id and by class, for matching. */
export interface SchoolRoster {
  enrolled: Map<number, RosterCandidate>;
  byClass: Map<number, RosterCandidate[]>;
}

/** The school's enrolled students, ready for matching. */
export async function loadSchoolRoster(db: Db | Tx, schoolId: number): Promise<SchoolRoster> {
  const enrolled = new Map<number, RosterCandidate>();
  const byClass = new Map<number, RosterCandidate[]>();
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
  return { enrolled, byClass };
}

/** A child as registered, in the form matching compares. */
export interface ChildKeys {
  kanaKey: string;
  nameKey: string;
}

export function childKeysOf(child: { childName: string; childKana: string }): ChildKeys {
  return { kanaKey: kanaMatchKey(child.childKana), nameKey: nameMatchKey(child.childName) };
}

/** How well a roster student fits a child: 0 (not at all), 1 (the kana or the name), 2 (both). */
export function matchScore(candidate: RosterCandidate, child: ChildKeys): number {
  return Number(candidate.kanaKey === child.kanaKey) + Number(candidate.nameKey === child.nameKey);
}

/** The class's roster student this child is (rule below); undefined for none or a tie. */
export function matchInClass(
  roster: SchoolRoster,
  classId: number,
  child: ChildKeys,
): RosterCandidate | undefined {
  return bestCandidate(roster.byClass.get(classId) ?? [], (c) => matchScore(c, child));
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
  const roster = await loadSchoolRoster(db, schoolId);
  const changes: { id: number; studentId: number | null; classId: number }[] = [];
  const registrations = await listSchoolRegistrations(db, schoolId);
  let matched = 0;
  for (const registration of registrations) {
    const child = childKeysOf(registration);
    const current =
      registration.studentId === null ? undefined : roster.enrolled.get(registration.studentId);
    const student =
      current && matchScore(current, child) > 0
        ? current
        : matchInClass(roster, registration.classId, child);
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
  candidates: readonly RosterCandidate[],
  score: (candidate: RosterCandidate) => number,
): RosterCandidate | undefined {
  let best: RosterCandidate | undefined;
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
