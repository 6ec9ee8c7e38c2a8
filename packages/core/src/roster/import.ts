import {
  deleteOrphanHouseholds,
  insertStudentsInChunks,
  listClassesOfYear,
  listSchoolHouseholds,
  listSchoolStudents,
  lockRosterSchool,
  recordAuditEvent,
  updateStudents,
  upsertHouseholds,
  type Db,
  type RosterSchool,
  type RosterStudent,
  type Tx,
} from '@renraku/db';
import type { RosterPhone } from '@renraku/db/schema';
import { checkKana, checkName, checkPhone, ServiceError } from '@renraku/shared';
import { createYearClasses, currentSchoolYear, sortOrderOf } from './classes';
import {
  COLUMN_ALIASES,
  decodeSpreadsheetText,
  isPhoneHeader,
  mapColumns,
  readTable,
  type SpreadsheetRow,
} from './csv';
import {
  classKey,
  idOf,
  parseClassName,
  parseGrade,
  parseHouseholdKey,
  parseRosterNumber,
} from './fields';
import { matchRegistrations, type MatchSummary } from './matching';
import { loadAdminSchool, type StaffActor } from './scope';

// Roster import (名簿の取り込み). Decisions:
// - The preview and the import run the same planning code; the import plans again inside its
//   transaction, with the school locked, so it stores exactly what a preview of that moment shows.
// - Any error row stores nothing, unless the admin explicitly chose `skipInvalidRows`: then the
//   valid rows are stored and the error rows leave their students as they were.
// - Rows are matched to students by roster number (学籍番号), so importing the same file twice
//   changes nothing. Students missing from the file are listed, never deleted: leaving is the
//   transfer or roll-over flow, and a partial file (one new child) is a normal import.
// - Classes are the school's newest school year. A class the file names that the year lacks is an
//   error unless `createMissingClasses` is chosen (April's new classes); a typo must not silently
//   create a class.
// - A household is keyed by the file's 世帯番号; without one each child is a household of their
//   own. Its phones are the union of its rows' phones and replace the stored ones.

export interface RosterImportOptions {
  createMissingClasses?: boolean;
  skipInvalidRows?: boolean;
}

/** What the import page posts: the school, the file and the admin's choices. */
export interface RosterImportInput {
  schoolId: number;
  /** The uploaded file's bytes, as the browser sent them. */
  file: Uint8Array;
  options?: RosterImportOptions;
  now?: Date;
}

/** What the import does with a row; the preview colours rows by it. */
export type RowAction = 'new' | 'update' | 'unchanged' | 'error';

/** One file row as the preview shows it; values are in their stored (normalized) form. */
export interface RosterRowPreview {
  row: number;
  rosterNumber: string;
  grade: number | null;
  className: string;
  name: string;
  kana: string;
  householdKey: string;
  phones: RosterPhone[];
  action: RowAction;
  /** What an update changes, in Japanese (「組」, 「氏名」, 「電話番号」 …). */
  changes: string[];
  errors: string[];
  warnings: string[];
}

/** The preview's summary line and the audit's counts. */
export interface RosterImportTotals {
  rows: number;
  new: number;
  update: number;
  unchanged: number;
  error: number;
}

/** The dry run's answer: everything the admin decides on before importing. */
export interface RosterImportPreview {
  schoolId: number;
  schoolYear: number;
  rows: RosterRowPreview[];
  totals: RosterImportTotals;
  /** Classes the import creates (only with createMissingClasses). */
  classesToCreate: { grade: number; name: string }[];
  /** Enrolled students the file does not list: they stay as they are. */
  notInFile: {
    studentId: number;
    rosterNumber: string;
    grade: number;
    className: string;
    name: string;
  }[];
  /** About the file as a whole: ignored columns, no household column. */
  warnings: string[];
  /** Whether importRoster would go ahead with these options. */
  canImport: boolean;
}

/** What the import did, for the confirmation message and the audit. */
export interface RosterImportResult {
  totals: RosterImportTotals;
  classesCreated: number;
  householdsWritten: number;
  householdsDeleted: number;
  registrations: MatchSummary;
}

interface ParsedRow {
  preview: RosterRowPreview;
  classId: number | undefined;
}

interface ImportPlan {
  preview: RosterImportPreview;
  /** Valid rows, to be stored. */
  valid: ParsedRow[];
  existing: Map<string, RosterStudent>;
  householdsToWrite: { householdKey: string; phones: RosterPhone[] }[];
}

/** The dry run: what importing this file would do. Reads only; stores nothing. */
export async function previewRosterImport(
  db: Db,
  actor: StaffActor,
  input: RosterImportInput,
): Promise<RosterImportPreview> {
  const school = await loadAdminSchool(db, actor.scope, input.schoolId);
  const plan = await planRosterImport(db, school, input.file, input.options ?? {}, input.now);
  return plan.preview;
}

/** Imports the file in one transaction; throws ServiceError and stores nothing when it may not. */
export async function importRoster(
  db: Db,
  actor: StaffActor,
  input: RosterImportInput,
): Promise<RosterImportResult> {
  const school = await loadAdminSchool(db, actor.scope, input.schoolId);
  const options = input.options ?? {};
  return db.transaction(async (tx) => {
    await lockRosterSchool(tx, school.id);
    const plan = await planRosterImport(tx, school, input.file, options, input.now);
    const { preview } = plan;
    if (!preview.canImport) {
      throw new ServiceError('invalid', 'refusal.roster.rowsWithErrors', {
        count: preview.totals.error,
      });
    }

    const classIds = await createYearClasses(
      tx,
      school,
      preview.schoolYear,
      preview.classesToCreate.map((c, index) => ({ ...c, sortOrder: sortOrderOf(c.name, index) })),
    );
    const householdIds = new Map(
      (await listSchoolHouseholds(tx, school.id)).map((h) => [h.householdKey, h.id]),
    );
    for (const written of await upsertHouseholds(
      tx,
      { districtId: school.districtId, schoolId: school.id },
      plan.householdsToWrite,
    )) {
      householdIds.set(written.householdKey, written.id);
    }

    const inserts = [];
    const updates = [];
    for (const { preview: row, classId } of plan.valid) {
      if (row.action === 'unchanged') continue;
      const student = {
        classId: classId ?? idOf(classIds, classKey(row.grade ?? 0, row.className)),
        householdId: idOf(householdIds, row.householdKey),
        name: row.name,
        kana: row.kana,
      };
      const existing = plan.existing.get(row.rosterNumber);
      if (existing) updates.push({ id: existing.id, ...student });
      else {
        inserts.push({
          districtId: school.districtId,
          schoolId: school.id,
          rosterNumber: row.rosterNumber,
          ...student,
        });
      }
    }
    await insertStudentsInChunks(tx, inserts);
    await updateStudents(tx, updates);
    const householdsDeleted = (await deleteOrphanHouseholds(tx, school.id)).length;
    const registrations = await matchRegistrations(tx, school.id);

    const result: RosterImportResult = {
      totals: preview.totals,
      classesCreated: classIds.size,
      householdsWritten: plan.householdsToWrite.length,
      householdsDeleted,
      registrations,
    };
    await recordAuditEvent(tx, {
      districtId: school.districtId,
      schoolId: school.id,
      actorType: 'staff',
      actorId: actor.staffUserId,
      action: 'roster.import',
      subjectType: 'school',
      subjectId: String(school.id),
      detail: {
        fileBytes: input.file.length,
        ...result,
        skippedErrorRows: preview.totals.error,
        notInFile: preview.notInFile.length,
        schoolYear: preview.schoolYear,
      },
    });
    return result;
  });
}

async function planRosterImport(
  db: Db | Tx,
  school: RosterSchool,
  file: Uint8Array,
  options: RosterImportOptions,
  now?: Date,
): Promise<ImportPlan> {
  const table = readTable(decodeSpreadsheetText(file));
  const layout = rosterLayout(table.header);
  const schoolYear = await currentSchoolYear(db, school.id, now);
  const classes = await listClassesOfYear(db, school.id, schoolYear);
  const students = await listSchoolStudents(db, school.id);
  const households = await listSchoolHouseholds(db, school.id);

  const classByKey = new Map(classes.map((c) => [classKey(c.grade, c.name), c]));
  const classById = new Map(classes.map((c) => [c.id, c]));
  const existing = new Map(students.map((s) => [s.rosterNumber, s]));
  const householdById = new Map(households.map((h) => [h.id, h]));
  const householdByKey = new Map(households.map((h) => [h.householdKey, h]));

  const rows = table.rows.map((row) => parseRow(row, layout, school));
  markDuplicates(rows, layout.numberIsAttendance);

  const classesToCreate = new Map<string, { grade: number; name: string }>();
  const parsed: ParsedRow[] = rows.map((preview) => {
    if (preview.grade === null || preview.className === '') return { preview, classId: undefined };
    const key = classKey(preview.grade, preview.className);
    const found = classByKey.get(key);
    if (found) return { preview, classId: found.id };
    if (options.createMissingClasses) {
      classesToCreate.set(key, { grade: preview.grade, name: preview.className });
      preview.warnings.push(`${preview.grade}年「${preview.className}」を新しく作成します。`);
    } else {
      preview.errors.push(
        `${preview.grade}年「${preview.className}」は${schoolYear}年度のクラスにありません（新しいクラスなら「ない組を作成する」を選んでください）。`,
      );
    }
    return { preview, classId: undefined };
  });

  const valid = parsed.filter((p) => p.preview.errors.length === 0);
  const phonesByHousehold = new Map<string, RosterPhone[]>();
  for (const { preview } of valid) {
    const phones = phonesByHousehold.get(preview.householdKey) ?? [];
    for (const phone of preview.phones) {
      if (!phones.some((p) => digitsOf(p.number) === digitsOf(phone.number))) phones.push(phone);
    }
    phonesByHousehold.set(preview.householdKey, phones);
  }
  const householdsToWrite = [...phonesByHousehold]
    .filter(([key, phones]) => !samePhones(householdByKey.get(key)?.phones, phones))
    .map(([householdKey, phones]) => ({ householdKey, phones }));
  const phonesChanged = new Set(householdsToWrite.map((h) => h.householdKey));

  for (const { preview, classId } of parsed) {
    if (preview.errors.length > 0) {
      preview.action = 'error';
      continue;
    }
    const student = existing.get(preview.rosterNumber);
    if (!student) {
      preview.action = 'new';
      continue;
    }
    const changes = preview.changes;
    if (student.classId !== classId) {
      const from = classById.get(student.classId);
      changes.push(
        from ? `組（${from.grade}年${from.name} → ${preview.grade}年${preview.className}）` : '組',
      );
    }
    if (student.name !== preview.name) changes.push('氏名');
    if (student.kana !== preview.kana) changes.push('カナ');
    if (householdById.get(student.householdId)?.householdKey !== preview.householdKey) {
      changes.push('世帯');
    } else if (phonesChanged.has(preview.householdKey)) {
      changes.push('電話番号');
    }
    if (student.status !== 'enrolled') {
      changes.push('在籍に戻す');
      preview.warnings.push(
        `この学籍番号は${student.status === 'graduated' ? '卒業' : '転出'}済みの児童生徒のものです。在籍に戻します。`,
      );
    }
    preview.action = changes.length > 0 ? 'update' : 'unchanged';
  }

  const inFile = new Set(rows.map((r) => r.rosterNumber).filter((n) => n !== ''));
  const notInFile = students
    .filter((s) => s.status === 'enrolled' && !inFile.has(s.rosterNumber))
    .map((s) => {
      const cls = classById.get(s.classId);
      return {
        studentId: s.id,
        rosterNumber: s.rosterNumber,
        grade: cls?.grade ?? 0,
        className: cls?.name ?? '',
        name: s.name,
      };
    });

  const totals = { rows: rows.length, new: 0, update: 0, unchanged: 0, error: 0 };
  for (const row of rows) totals[row.action] += 1;
  return {
    preview: {
      schoolId: school.id,
      schoolYear,
      rows,
      totals,
      classesToCreate: [...classesToCreate.values()],
      notInFile,
      warnings: layout.warnings,
      canImport: totals.error === 0 || (options.skipInvalidRows === true && valid.length > 0),
    },
    valid,
    existing,
    householdsToWrite,
  };
}

interface RosterLayout {
  number: number;
  numberIsAttendance: boolean;
  grade: number;
  className: number;
  name: number[];
  kana: number[];
  household: number | undefined;
  phones: { index: number; label: string }[];
  warnings: string[];
}

/** Which column holds what; refuses a file without the columns a roster needs. */
function rosterLayout(header: readonly string[]): RosterLayout {
  const { columns: c, rest } = mapColumns(header, COLUMN_ALIASES);
  const number = c.rosterNumber ?? c.attendanceNumber;
  const name = c.name !== undefined ? [c.name] : pair(c.familyName, c.givenName);
  const kana = c.kana !== undefined ? [c.kana] : pair(c.familyKana, c.givenKana);
  const missing = [
    number === undefined && '学籍番号',
    c.grade === undefined && '学年',
    c.className === undefined && '組',
    name === undefined && '氏名',
    kana === undefined && 'ふりがな',
  ].filter((label): label is string => label !== false);
  if (
    number === undefined ||
    c.grade === undefined ||
    c.className === undefined ||
    !name ||
    !kana
  ) {
    throw new ServiceError('invalid', 'refusal.roster.missingColumns', {
      columns: missing.join('、'),
    });
  }
  const phones = rest
    .filter((index) => isPhoneHeader(header[index] ?? ''))
    .map((index) => ({ index, label: (header[index] ?? '').normalize('NFKC').trim() }));
  const ignored = rest
    .filter((index) => !isPhoneHeader(header[index] ?? '') && (header[index] ?? '') !== '')
    .map((index) => `「${header[index]}」`);
  const warnings: string[] = [];
  if (c.rosterNumber === undefined && c.attendanceNumber !== undefined) {
    warnings.push(
      '学籍番号の列がないため、出席番号を学籍番号として使います。出席番号は年度やクラスで変わるため、学校内で一意の学籍番号の列をおすすめします。',
    );
  }
  if (c.household === undefined) {
    warnings.push('世帯番号の列がないため、きょうだいも別々の世帯として扱います。');
  }
  if (phones.length === 0) {
    warnings.push('電話番号の列がありません。電話連絡リストに番号が表示されません。');
  }
  if (ignored.length > 0) warnings.push(`次の列は取り込みません: ${ignored.join('、')}。`);
  return {
    number,
    numberIsAttendance: c.rosterNumber === undefined,
    grade: c.grade,
    className: c.className,
    name,
    kana,
    household: c.household,
    phones,
    warnings,
  };
}

function pair(a: number | undefined, b: number | undefined): number[] | undefined {
  return a !== undefined && b !== undefined ? [a, b] : undefined;
}

function parseRow(
  row: SpreadsheetRow,
  layout: RosterLayout,
  school: RosterSchool,
): RosterRowPreview {
  const cell = (index: number) => row.cells[index] ?? '';
  const joined = (indexes: number[]) =>
    indexes
      .map(cell)
      .filter((v) => v !== '')
      .join(' ');
  const errors: string[] = [];
  const warnings: string[] = [];
  const take = <T>(check: { ok: true; value: T } | { ok: false; message: string }, fallback: T) => {
    if (check.ok) return check.value;
    errors.push(check.message);
    return fallback;
  };

  const rosterNumber = take(parseRosterNumber(cell(layout.number)), '');
  const grade = take<number | null>(parseGrade(cell(layout.grade), school.kind), null);
  const className = take(parseClassName(cell(layout.className), grade), '');
  const name = take(checkName(joined(layout.name)), joined(layout.name));
  const kana = take(checkKana(joined(layout.kana)), joined(layout.kana));
  const householdCell = layout.household === undefined ? '' : cell(layout.household);
  const householdKey =
    householdCell === ''
      ? `#${rosterNumber}`
      : take(parseHouseholdKey(householdCell), householdCell);
  const phones: RosterPhone[] = [];
  for (const { index, label } of layout.phones) {
    const value = cell(index);
    if (value === '') continue;
    const phone = checkPhone(value);
    if (phone.ok) phones.push({ label, number: phone.value });
    else errors.push(`${label}「${value}」: ${phone.message}`);
  }
  if (phones.length === 0 && errors.length === 0) {
    warnings.push('電話番号がありません（電話連絡リストに番号が表示されません）。');
  }
  return {
    row: row.row,
    rosterNumber,
    grade,
    className,
    name,
    kana,
    householdKey,
    phones,
    action: 'error',
    changes: [],
    errors,
    warnings,
  };
}

/** Every row of a repeated roster number is an error: the file does not say which is right. */
function markDuplicates(rows: RosterRowPreview[], numberIsAttendance: boolean): void {
  const byNumber = new Map<string, RosterRowPreview[]>();
  for (const row of rows) {
    if (row.rosterNumber === '') continue;
    byNumber.set(row.rosterNumber, [...(byNumber.get(row.rosterNumber) ?? []), row]);
  }
  const hint = numberIsAttendance
    ? '出席番号はクラスごとの番号です。学校内で一意の学籍番号の列を使ってください。'
    : '';
  for (const [number, same] of byNumber) {
    if (same.length < 2) continue;
    const where = same.map((r) => r.row).join('、');
    for (const row of same) {
      row.errors.push(`学籍番号「${number}」が重複しています（${where} 行目）。${hint}`);
    }
  }
}

function digitsOf(number: string): string {
  return number.replace(/\D/g, '');
}

function samePhones(stored: RosterPhone[] | undefined, phones: RosterPhone[]): boolean {
  return (
    stored !== undefined &&
    stored.length === phones.length &&
    stored.every((p, i) => p.label === phones[i]?.label && p.number === phones[i]?.number)
  );
}
