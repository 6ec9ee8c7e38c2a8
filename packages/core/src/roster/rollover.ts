import {
  countAddressesOf,
  countTeachersOfClasses,
  deleteOrphanHouseholds,
  deleteRegistrations,
  endEnrolment,
  latestSchoolYearOf,
  listClassesOfYear,
  listSchoolRegistrations,
  listSchoolStudents,
  lockRosterSchool,
  moveStudents,
  recordAuditEvent,
  relinkRegistrations,
  type Db,
  type RosterClass,
  type RosterSchool,
  type Tx,
} from '@renraku/db';
import { MAX_GRADE, schoolYearOf, ServiceError } from '@renraku/shared';
import { COLUMN_ALIASES, decodeSpreadsheetText, mapColumns, readTable } from './csv';
import { classKey, idOf, parseClassName, parseGrade, parseRosterNumber } from './fields';
import { createYearClasses, sortOrderOf } from './classes';
import { matchRegistrations } from './matching';
import { loadAdminSchool, type StaffActor } from './scope';

// Year roll-over (年度更新: 進級 and 卒業). Decisions:
// - It goes from the school's newest school year to the next, at most into the school year after
//   today's (so it can be done in March), and so only once a year: a second click is refused.
// - Next year's classes keep their names (「1組」 of grade 2 becomes 「1組」 of grade 3) unless a
//   class-assignment file (学籍番号 → 組) says otherwise; students it does not list keep their
//   class name. Grade 1 gets last year's grade-1 class names for the new entrants, whom the
//   school then imports.
// - Graduates' registrations and addresses are deleted (leaflet: 学校が登録情報を削除します).
//   The student row stays, as 'graduated', only when a past message's call list refers to it;
//   otherwise it is deleted too, and households nobody needs any more go with it.
// - Registrations follow their student. Unmatched ones (the parent's name did not match the
//   roster) move to the same class name one grade up, or to that grade's first class; the
//   preview counts them so the school can chase them up.
// - Per-class auth codes are not carried over (the class is new); the school's code applies.
// - Teachers stay on last year's class until an admin reassigns them; the preview counts them.

/** The dry run's answer: what the admin confirms before the roll-over. */
export interface RolloverPreview {
  schoolId: number;
  fromYear: number;
  toYear: number;
  grades: { grade: number; toGrade: number | null; students: number; registrations: number }[];
  /** Where each class's students go; `to` null for graduating classes. */
  classMoves: {
    from: { grade: number; name: string };
    to: { grade: number; name: string } | null;
    students: number;
  }[];
  classesToCreate: { grade: number; name: string }[];
  studentsMoving: number;
  graduates: number;
  registrationsDeleted: number;
  addressesDeleted: number;
  registrationsMoved: number;
  /** Of registrationsMoved, those no roster student matched, moved by class name alone. */
  unmatchedRegistrationsMoved: number;
  teachersToReassign: number;
  /** Problems with the class-assignment file; any of them stops the roll-over. */
  errors: { row: number; message: string }[];
  warnings: string[];
  canRollOver: boolean;
}

/** What the roll-over did, for the confirmation message and the audit. */
export interface RolloverResult {
  fromYear: number;
  toYear: number;
  classesCreated: number;
  studentsMoved: number;
  graduates: number;
  graduatesKeptForHistory: number;
  registrationsDeleted: number;
  addressesDeleted: number;
  registrationsMoved: number;
  householdsDeleted: number;
}

/** The school, an optional class-assignment file, and the clock (tests set it). */
export interface RolloverInput {
  schoolId: number;
  /** Optional CSV: 学籍番号 → next year's 組 (and optionally 学年, checked). */
  classAssignment?: Uint8Array;
  now?: Date;
}

interface RolloverPlan {
  preview: RolloverPreview;
  newClasses: Map<string, { grade: number; name: string; sortOrder: number }>;
  studentMoves: { id: number; toKey: string }[];
  graduateIds: number[];
  registrationMoves: { id: number; studentId: number | null; toKey: string }[];
  registrationsToDelete: number[];
}

/** The dry run: what the roll-over would do. Reads only; stores nothing. */
export async function previewRollover(
  db: Db,
  actor: StaffActor,
  input: RolloverInput,
): Promise<RolloverPreview> {
  const school = await loadAdminSchool(db, actor.scope, input.schoolId);
  return (await planRollover(db, school, input)).preview;
}

/** Rolls the school over in one transaction; audited with counts. */
export async function rolloverSchool(
  db: Db,
  actor: StaffActor,
  input: RolloverInput,
): Promise<RolloverResult> {
  const school = await loadAdminSchool(db, actor.scope, input.schoolId);
  return db.transaction(async (tx) => {
    await lockRosterSchool(tx, school.id);
    const plan = await planRollover(tx, school, input);
    const { preview } = plan;
    if (!preview.canRollOver) {
      throw new ServiceError('invalid', 'refusal.rollover.assignmentErrors');
    }
    const classIds = await createYearClasses(tx, school, preview.toYear, [
      ...plan.newClasses.values(),
    ]);
    await moveStudents(
      tx,
      plan.studentMoves.map((m) => ({ id: m.id, classId: idOf(classIds, m.toKey) })),
    );
    const deleted = await deleteRegistrations(tx, plan.registrationsToDelete);
    const ended = await endEnrolment(tx, plan.graduateIds, 'graduated');
    await relinkRegistrations(
      tx,
      plan.registrationMoves.map((m) => ({
        id: m.id,
        studentId: m.studentId,
        classId: idOf(classIds, m.toKey),
      })),
    );
    await matchRegistrations(tx, school.id);
    const householdsDeleted = (await deleteOrphanHouseholds(tx, school.id)).length;
    const result: RolloverResult = {
      fromYear: preview.fromYear,
      toYear: preview.toYear,
      classesCreated: classIds.size,
      studentsMoved: plan.studentMoves.length,
      graduates: plan.graduateIds.length,
      graduatesKeptForHistory: ended.kept,
      registrationsDeleted: deleted.registrations,
      addressesDeleted: deleted.addresses,
      registrationsMoved: plan.registrationMoves.length,
      householdsDeleted,
    };
    await recordAuditEvent(tx, {
      districtId: school.districtId,
      schoolId: school.id,
      actorType: 'staff',
      actorId: actor.staffUserId,
      action: 'roster.rollover',
      subjectType: 'school',
      subjectId: String(school.id),
      detail: { ...result, withClassAssignment: input.classAssignment !== undefined },
    });
    return result;
  });
}

async function planRollover(
  db: Db | Tx,
  school: RosterSchool,
  input: RolloverInput,
): Promise<RolloverPlan> {
  const fromYear = await latestSchoolYearOf(db, school.id);
  if (fromYear === null) {
    throw new ServiceError('invalid', 'refusal.rollover.noClasses');
  }
  const toYear = fromYear + 1;
  if (toYear > schoolYearOf(input.now ?? new Date()) + 1) {
    throw new ServiceError('conflict', 'refusal.rollover.done', { year: fromYear });
  }
  const maxGrade = MAX_GRADE[school.kind];
  const oldClasses = await listClassesOfYear(db, school.id, fromYear);
  const oldById = new Map(oldClasses.map((c) => [c.id, c]));
  const students = (await listSchoolStudents(db, school.id)).filter(
    (s) => s.status === 'enrolled' && oldById.has(s.classId),
  );
  const assignment = input.classAssignment
    ? readAssignment(input.classAssignment, school, students, oldById)
    : undefined;
  const warnings = assignment?.warnings ?? [];

  const newClasses = new Map<string, { grade: number; name: string; sortOrder: number }>();
  const need = (grade: number, name: string, sortOrder: number) => {
    const key = classKey(grade, name);
    if (!newClasses.has(key)) newClasses.set(key, { grade, name, sortOrder });
    return key;
  };
  for (const cls of oldClasses) {
    if (cls.grade === 1) need(1, cls.name, cls.sortOrder);
    if (!assignment && cls.grade < maxGrade) need(cls.grade + 1, cls.name, cls.sortOrder);
  }

  const studentMoves: { id: number; toKey: string }[] = [];
  const graduateIds: number[] = [];
  const moveCounts = new Map<string, RolloverPreview['classMoves'][number]>();
  let unlisted = 0;
  for (const student of students) {
    const from = oldById.get(student.classId) as RosterClass;
    let to: { grade: number; name: string } | null = null;
    if (from.grade >= maxGrade) {
      graduateIds.push(student.id);
    } else {
      const assigned = assignment?.classes.get(student.rosterNumber);
      if (assignment && assigned === undefined) unlisted += 1;
      to = { grade: from.grade + 1, name: assigned ?? from.name };
      studentMoves.push({
        id: student.id,
        toKey: need(to.grade, to.name, assigned ? sortOrderOf(assigned, 0) : from.sortOrder),
      });
    }
    const key = `${from.id}>${to ? classKey(to.grade, to.name) : ''}`;
    const count = moveCounts.get(key) ?? {
      from: { grade: from.grade, name: from.name },
      to,
      students: 0,
    };
    count.students += 1;
    moveCounts.set(key, count);
  }
  if (unlisted > 0) {
    warnings.push(
      `クラス割り当てファイルにない ${unlisted} 人は、今の組と同じ名前の組に進級します。`,
    );
  }

  const moveOf = new Map(studentMoves.map((m) => [m.id, m.toKey]));
  const graduating = new Set(graduateIds);
  const registrationsToDelete: number[] = [];
  const registrationMoves: RolloverPlan['registrationMoves'] = [];
  let unmatchedMoved = 0;
  const registrationsByGrade = new Map<number, number>();
  for (const registration of await listSchoolRegistrations(db, school.id)) {
    const from = oldById.get(registration.classId);
    const matchedTo =
      registration.studentId === null ? undefined : moveOf.get(registration.studentId);
    if (registration.studentId !== null && graduating.has(registration.studentId)) {
      registrationsToDelete.push(registration.id);
    } else if (!from) {
      continue;
    } else if (from.grade >= maxGrade) {
      registrationsToDelete.push(registration.id);
    } else if (matchedTo) {
      registrationMoves.push({
        id: registration.id,
        studentId: registration.studentId,
        toKey: matchedTo,
      });
    } else {
      unmatchedMoved += 1;
      registrationMoves.push({
        id: registration.id,
        studentId: null,
        toKey: classForUnmatched(newClasses, from, need),
      });
    }
    if (from) registrationsByGrade.set(from.grade, (registrationsByGrade.get(from.grade) ?? 0) + 1);
  }

  const grades = [...new Set(oldClasses.map((c) => c.grade))].map((grade) => ({
    grade,
    toGrade: grade >= maxGrade ? null : grade + 1,
    students: students.filter((s) => oldById.get(s.classId)?.grade === grade).length,
    registrations: registrationsByGrade.get(grade) ?? 0,
  }));
  const errors = assignment?.errors ?? [];
  return {
    preview: {
      schoolId: school.id,
      fromYear,
      toYear,
      grades,
      classMoves: [...moveCounts.values()],
      classesToCreate: [...newClasses.values()].map(({ grade, name }) => ({ grade, name })),
      studentsMoving: studentMoves.length,
      graduates: graduateIds.length,
      registrationsDeleted: registrationsToDelete.length,
      addressesDeleted: await countAddressesOf(db, registrationsToDelete),
      registrationsMoved: registrationMoves.length,
      unmatchedRegistrationsMoved: unmatchedMoved,
      teachersToReassign: await countTeachersOfClasses(db, [...oldById.keys()]),
      errors,
      warnings,
      canRollOver: errors.length === 0,
    },
    newClasses,
    studentMoves,
    graduateIds,
    registrationMoves,
    registrationsToDelete,
  };
}

/** The same class name one grade up, else that grade's first class, else a new one of that name. */
function classForUnmatched(
  newClasses: Map<string, { grade: number; name: string; sortOrder: number }>,
  from: RosterClass,
  need: (grade: number, name: string, sortOrder: number) => string,
): string {
  const sameName = classKey(from.grade + 1, from.name);
  if (newClasses.has(sameName)) return sameName;
  const first = [...newClasses.entries()]
    .filter(([, c]) => c.grade === from.grade + 1)
    .sort(([, a], [, b]) => a.sortOrder - b.sortOrder)[0];
  return first ? first[0] : need(from.grade + 1, from.name, from.sortOrder);
}

interface Assignment {
  classes: Map<string, string>;
  errors: { row: number; message: string }[];
  warnings: string[];
}

/** Reads 学籍番号 → 組 (学年, when given, must be the student's next grade). */
function readAssignment(
  file: Uint8Array,
  school: RosterSchool,
  students: readonly { rosterNumber: string; classId: number }[],
  oldById: Map<number, RosterClass>,
): Assignment {
  const table = readTable(decodeSpreadsheetText(file));
  const { columns } = mapColumns(table.header, COLUMN_ALIASES);
  if (columns.rosterNumber === undefined || columns.className === undefined) {
    throw new ServiceError('invalid', 'refusal.rollover.assignmentColumns');
  }
  const numberColumn = columns.rosterNumber;
  const classColumn = columns.className;
  const gradeColumn = columns.grade;
  const maxGrade = MAX_GRADE[school.kind];
  const gradeOf = new Map(
    students.map((s) => [s.rosterNumber, oldById.get(s.classId)?.grade ?? 0]),
  );
  const classes = new Map<string, string>();
  const seenAt = new Map<string, number>();
  const errors: Assignment['errors'] = [];
  const warnings: string[] = [];
  for (const { row, cells } of table.rows) {
    const number = parseRosterNumber(cells[numberColumn] ?? '');
    if (!number.ok) {
      errors.push({ row, message: number.message });
      continue;
    }
    const current = gradeOf.get(number.value);
    if (current === undefined) {
      errors.push({ row, message: `学籍番号「${number.value}」の在籍児童生徒がいません。` });
      continue;
    }
    if (current >= maxGrade) {
      warnings.push(`${row} 行目: 学籍番号「${number.value}」は卒業する学年のため無視します。`);
      continue;
    }
    const nextGrade = current + 1;
    if (gradeColumn !== undefined && (cells[gradeColumn] ?? '') !== '') {
      const grade = parseGrade(cells[gradeColumn] ?? '', school.kind);
      if (!grade.ok || grade.value !== nextGrade) {
        errors.push({ row, message: `学年は進級後の${nextGrade}年にしてください。` });
        continue;
      }
    }
    const name = parseClassName(cells[classColumn] ?? '', nextGrade);
    if (!name.ok) {
      errors.push({ row, message: name.message });
      continue;
    }
    const earlier = seenAt.get(number.value);
    if (earlier !== undefined) {
      errors.push({
        row,
        message: `学籍番号「${number.value}」が重複しています（${earlier} 行目）。`,
      });
      continue;
    }
    seenAt.set(number.value, row);
    classes.set(number.value, name.value);
  }
  return { classes, errors, warnings };
}
