import {
  countAddressesOf,
  deleteOrphanHouseholds,
  deleteRegistrations,
  endEnrolment,
  findRosterStudent,
  listEnrolledStudents,
  listSchoolRegistrations,
  lockRosterSchool,
  recordAuditEvent,
  type Db,
  type RosterListEntry,
  type Tx,
} from '@renraku/db';
import { ServiceError } from '@renraku/shared';
import { currentClasses } from './classes';
import { loadAdminSchool, type StaffActor } from './scope';

/** A class for the roster page's filters (no auth code). */
export interface RosterClassSummary {
  id: number;
  grade: number;
  name: string;
}

/** The roster page's data. */
export interface RosterListing {
  schoolYear: number;
  classes: RosterClassSummary[];
  students: RosterListEntry[];
}

/** The school's current roster with households and registration state, for the admin pages. */
export async function listRoster(
  db: Db,
  actor: StaffActor,
  input: { schoolId: number; now?: Date },
): Promise<RosterListing> {
  const school = await loadAdminSchool(db, actor.scope, input.schoolId);
  const current = await currentClasses(db, school.id, input.now);
  const classes = current.classes.map(({ id, grade, name }) => ({ id, grade, name }));
  const students = await listEnrolledStudents(
    db,
    classes.map((c) => c.id),
  );
  return { schoolYear: current.schoolYear, classes, students };
}

/** What the transfer confirmation dialog shows. */
export interface TransferPreview {
  studentId: number;
  rosterNumber: string;
  name: string;
  /** Registrations (and their addresses) that the transfer deletes. */
  registrations: number;
  addresses: number;
}

/** What transferring this student out deletes, for the confirmation dialog. */
export async function previewTransferOut(
  db: Db,
  actor: StaffActor,
  input: { schoolId: number; studentId: number },
): Promise<TransferPreview> {
  await loadAdminSchool(db, actor.scope, input.schoolId);
  const { registrationIds: _ids, ...preview } = await describeTransfer(db, input);
  return preview;
}

/**
 * Transfer out (転出): the student's registrations and addresses are deleted (leaflet: 学校が
 * 登録情報を削除します) and the student leaves the roster, kept as 'transferred' only when a past
 * call list refers to them. Audited with counts.
 */
export async function transferStudentOut(
  db: Db,
  actor: StaffActor,
  input: { schoolId: number; studentId: number },
): Promise<{ registrationsDeleted: number; addressesDeleted: number; keptForHistory: boolean }> {
  const school = await loadAdminSchool(db, actor.scope, input.schoolId);
  return db.transaction(async (tx) => {
    await lockRosterSchool(tx, school.id);
    const transfer = await describeTransfer(tx, input);
    const deleted = await deleteRegistrations(tx, transfer.registrationIds);
    const ended = await endEnrolment(tx, [transfer.studentId], 'transferred');
    await deleteOrphanHouseholds(tx, school.id);
    const result = {
      registrationsDeleted: deleted.registrations,
      addressesDeleted: deleted.addresses,
      keptForHistory: ended.kept > 0,
    };
    await recordAuditEvent(tx, {
      districtId: school.districtId,
      schoolId: school.id,
      actorType: 'staff',
      actorId: actor.staffUserId,
      action: 'roster.transfer_out',
      subjectType: 'student',
      subjectId: String(transfer.studentId),
      detail: result,
    });
    return result;
  });
}

async function describeTransfer(
  db: Db | Tx,
  input: { schoolId: number; studentId: number },
): Promise<TransferPreview & { registrationIds: number[] }> {
  const student = await findRosterStudent(db, input.studentId);
  if (!student || student.schoolId !== input.schoolId) {
    throw new ServiceError('not_found', 'refusal.student.notInRoster');
  }
  if (student.status !== 'enrolled') {
    throw new ServiceError('conflict', 'refusal.student.alreadyLeft');
  }
  const registrationIds = (await listSchoolRegistrations(db, input.schoolId))
    .filter((r) => r.studentId === student.id)
    .map((r) => r.id);
  return {
    studentId: student.id,
    rosterNumber: student.rosterNumber,
    name: student.name,
    registrations: registrationIds.length,
    addresses: await countAddressesOf(db, registrationIds),
    registrationIds,
  };
}
