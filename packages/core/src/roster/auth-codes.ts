import { randomInt } from 'node:crypto';
import {
  findSchoolClassById,
  recordAuditEvent,
  setClassAuthCode,
  setSchoolAuthCode,
  type Db,
} from '@renraku/db';
import { ServiceError } from '@renraku/shared';
import { currentClasses } from './classes';
import { loadAdminSchool, type StaffActor } from './scope';

// Auth codes (認証コード) printed on the registration sheet: parents type them on a phone, so
// they use capitals and digits without look-alikes (no 0/O, 1/I/L). 8 characters of a
// 31-letter alphabet are ~40 bits, plenty behind the rate limit on auth-code entry.

export const AUTH_CODE_ALPHABET = 'ABCDEFGHJKMNPQRSTUVWXYZ23456789';
/** Short enough to type on a phone, long enough behind the entry rate limit. */
export const AUTH_CODE_LENGTH = 8;

/** A fresh code from the OS's cryptographic random source, each character uniformly chosen. */
export function generateAuthCode(): string {
  let code = '';
  for (let i = 0; i < AUTH_CODE_LENGTH; i += 1) {
    code += AUTH_CODE_ALPHABET[randomInt(AUTH_CODE_ALPHABET.length)];
  }
  return code;
}

/**
 * What a parent typed, as it is compared with the stored code: full-width and lower case
 * accepted, spaces and hyphens ignored (a sheet may print 「ABCD-EFGH」 for readability).
 */
export function normalizeAuthCodeInput(input: string): string {
  return input.normalize('NFKC').toUpperCase().replace(/[\s-]/g, '');
}

/** What the auth-code page shows the school's admin. */
export interface AuthCodes {
  school: { code: string; rotatedAt: Date };
  /** The current year's classes; `code` null means the school's code applies. */
  classes: { classId: number; grade: number; name: string; code: string | null }[];
}

/** The school's and its classes' codes; only the school's own admins may read them. */
export async function getAuthCodes(
  db: Db,
  actor: StaffActor,
  input: { schoolId: number; now?: Date },
): Promise<AuthCodes> {
  const school = await loadAdminSchool(db, actor.scope, input.schoolId);
  const { classes } = await currentClasses(db, school.id, input.now);
  return {
    school: { code: school.authCode, rotatedAt: school.authCodeRotatedAt },
    classes: classes.map((c) => ({
      classId: c.id,
      grade: c.grade,
      name: c.name,
      code: c.authCode,
    })),
  };
}

/** Replaces the school's code (sheets printed before stop working for new registrations). */
export async function rotateSchoolAuthCode(
  db: Db,
  actor: StaffActor,
  input: { schoolId: number },
): Promise<{ code: string; rotatedAt: Date }> {
  const school = await loadAdminSchool(db, actor.scope, input.schoolId);
  const code = generateAuthCode();
  return db.transaction(async (tx) => {
    const rotatedAt = await setSchoolAuthCode(tx, school.id, code);
    await recordAuditEvent(tx, {
      districtId: school.districtId,
      schoolId: school.id,
      actorType: 'staff',
      actorId: actor.staffUserId,
      action: 'auth_code.rotate',
      subjectType: 'school',
      subjectId: String(school.id),
      detail: {},
    });
    return { code, rotatedAt };
  });
}

/**
 * Gives one class a code of its own (a new one each call), or with `clear` returns it to the
 * school's code. A class code lets a school hand out one class's sheets without the others'.
 */
export async function rotateClassAuthCode(
  db: Db,
  actor: StaffActor,
  input: { schoolId: number; classId: number; clear?: boolean },
): Promise<{ code: string | null }> {
  const school = await loadAdminSchool(db, actor.scope, input.schoolId);
  const cls = await findSchoolClassById(db, school.id, input.classId);
  if (!cls) throw new ServiceError('not_found', 'refusal.class.notInSchool');
  const code = input.clear ? null : generateAuthCode();
  return db.transaction(async (tx) => {
    await setClassAuthCode(tx, cls.id, code);
    await recordAuditEvent(tx, {
      districtId: school.districtId,
      schoolId: school.id,
      actorType: 'staff',
      actorId: actor.staffUserId,
      action: code === null ? 'auth_code.clear_class' : 'auth_code.rotate_class',
      subjectType: 'class',
      subjectId: String(cls.id),
      detail: {},
    });
    return { code };
  });
}
