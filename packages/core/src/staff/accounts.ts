import {
  createStaffUserIfLoginFree,
  deleteStaffSessions,
  findSchoolClassById,
  findStaffAccountScope,
  findStaffUserByLogin,
  listDistrictSchools,
  listManagedStaffUsers,
  recordAuditEvent,
  setStaffDisabledAt,
  setStaffPasswordHash,
  type Db,
  type ManagedStaffUser,
  type StaffAccountScope,
} from '@renraku/db';
import {
  ServiceError,
  staffDisplayNameSchema,
  staffLoginSchema,
  staffPasswordSchema,
  STAFF_PASSWORD_MIN,
  type StaffRole,
  type StaffScope,
} from '@renraku/shared';
import { hashPassword } from '@renraku/shared/password';
import { currentClasses, type StaffActor } from '../roster';

// Staff accounts in the UI (職員アカウント). Who manages whom — decisions:
// - The board creates board users and school admins (for a school of its district), resets
//   their passwords and disables them; a school admin does the same for the teachers of its own
//   school. Teachers manage nobody. Nobody disables or resets themselves here (no lock-out by a
//   slip; a forgotten own password goes to a colleague or the operator's CLI).
// - A reset or a disable ends the account's sessions at once; a disabled account's API tokens
//   stop working too (the principal lookup refuses disabled accounts).
// - Every change is audited with who did it; passwords never appear in the audit.

/** The roles a scope may create: the board the district's admins, a school admin its teachers. */
export function creatableRoles(scope: StaffScope): StaffRole[] {
  if (scope.role === 'board') return ['school_admin', 'board'];
  if (scope.role === 'school_admin') return ['teacher'];
  return [];
}

/** Whether `actor` may reset, disable or enable the account `target`. */
export function managesAccount(actor: StaffActor, target: StaffAccountScope): boolean {
  const { scope } = actor;
  if (target.districtId !== scope.districtId || target.id === actor.staffUserId) return false;
  if (scope.role === 'board') return target.role === 'board' || target.role === 'school_admin';
  if (scope.role === 'school_admin') {
    return target.role === 'teacher' && target.schoolId === scope.schoolId;
  }
  return false;
}

/** The accounts page: the accounts in scope and what a new one may be attached to. */
export interface StaffAccountsPage {
  accounts: ManagedStaffUser[];
  roles: StaffRole[];
  /** Board: the schools a school admin may be created for. */
  schools: { id: number; name: string }[];
  /** School admin: the current year's classes a teacher may be created for. */
  classes: { id: number; grade: number; name: string }[];
}

export async function staffAccountsPage(
  db: Db,
  actor: StaffActor,
  now = new Date(),
): Promise<StaffAccountsPage> {
  const { scope } = actor;
  if (scope.role === 'teacher') throw new ServiceError('forbidden', 'refusal.accounts.notAnAdmin');
  if (scope.role === 'board') {
    return {
      accounts: await listManagedStaffUsers(db, {
        districtId: scope.districtId,
        roles: ['board', 'school_admin'],
      }),
      roles: creatableRoles(scope),
      schools: await listDistrictSchools(db, scope.districtId),
      classes: [],
    };
  }
  const { classes } = await currentClasses(db, scope.schoolId, now);
  return {
    accounts: await listManagedStaffUsers(db, {
      districtId: scope.districtId,
      roles: ['teacher'],
      schoolId: scope.schoolId,
    }),
    roles: creatableRoles(scope),
    schools: [],
    classes: classes.map(({ id, grade, name }) => ({ id, grade, name })),
  };
}

/** What the create form posts (strings as typed; ids already parsed). */
export interface NewStaffAccount {
  role: string;
  login: string;
  displayName: string;
  password: string;
  schoolId?: number;
  classId?: number;
}

function validPassword(password: string): string {
  const parsed = staffPasswordSchema.safeParse(password);
  if (!parsed.success)
    throw new ServiceError('invalid', 'refusal.accounts.passwordRule', { min: STAFF_PASSWORD_MIN });
  return parsed.data;
}

/** Creates an account within the creator's scope; refused input stores nothing. */
export async function createStaffAccount(
  db: Db,
  actor: StaffActor,
  input: NewStaffAccount,
): Promise<{ id: number; login: string }> {
  const { scope } = actor;
  const role = creatableRoles(scope).find((r) => r === input.role);
  if (!role) {
    throw scope.role === 'teacher'
      ? new ServiceError('forbidden', 'refusal.accounts.notAnAdmin')
      : new ServiceError('invalid', 'refusal.accounts.roleNotCreatable');
  }
  const login = staffLoginSchema.safeParse(input.login);
  if (!login.success) throw new ServiceError('invalid', 'refusal.accounts.loginRule');
  const displayName = staffDisplayNameSchema.safeParse(input.displayName);
  if (!displayName.success) throw new ServiceError('invalid', 'refusal.accounts.nameRule');
  const password = validPassword(input.password);
  const place = await placeOf(db, scope, role, input);

  const created = await addStaffAccount(
    db,
    { actorType: 'staff', actorId: actor.staffUserId },
    {
      districtId: scope.districtId,
      login: login.data,
      password,
      displayName: displayName.data,
      role,
      ...place,
    },
  );
  if (!created) {
    throw new ServiceError('conflict', 'refusal.accounts.loginTaken', { login: login.data });
  }
  return created;
}

/** Who a change is audited as: a signed-in staff member, or the operator at the CLI. */
export type AuditActor = { actorType: 'staff'; actorId: number } | { actorType: 'operator' };

/** A new account whose input and place the caller has already checked against its door. */
export interface CheckedStaffAccount {
  districtId: number;
  login: string;
  displayName: string;
  password: string;
  role: StaffRole;
  schoolId: number | null;
  classId: number | null;
}

/**
 * Stores and audits a new account, for the accounts page and the CLI alike; undefined when the
 * login is taken — looked up first so a taken login costs no hash, and refused again by the
 * insert when another process takes it in between.
 */
export async function addStaffAccount(
  db: Db,
  by: AuditActor,
  account: CheckedStaffAccount,
): Promise<{ id: number; login: string } | undefined> {
  const { password, ...row } = account;
  if (await findStaffUserByLogin(db, row.login)) return undefined;
  const passwordHash = await hashPassword(password);
  return db.transaction(async (tx) => {
    const created = await createStaffUserIfLoginFree(tx, { ...row, passwordHash });
    if (!created) return undefined;
    await recordAuditEvent(tx, {
      districtId: row.districtId,
      schoolId: row.schoolId,
      ...by,
      action: 'staff.create',
      subjectType: 'staff_user',
      subjectId: String(created.id),
      detail: {
        login: created.login,
        role: row.role,
        schoolId: row.schoolId,
        classId: row.classId,
      },
    });
    return created;
  });
}

/** The school (and class) a new account belongs to, checked against the creator's scope. */
async function placeOf(
  db: Db,
  scope: StaffScope,
  role: StaffRole,
  input: NewStaffAccount,
): Promise<{ schoolId: number | null; classId: number | null }> {
  if (role === 'board') return { schoolId: null, classId: null };
  if (role === 'school_admin') {
    const school = (await listDistrictSchools(db, scope.districtId)).find(
      (s) => s.id === input.schoolId,
    );
    if (!school) throw new ServiceError('invalid', 'refusal.accounts.chooseSchool');
    return { schoolId: school.id, classId: null };
  }
  if (scope.role !== 'school_admin')
    throw new ServiceError('forbidden', 'refusal.accounts.notAnAdmin');
  const cls =
    input.classId === undefined
      ? undefined
      : await findSchoolClassById(db, scope.schoolId, input.classId);
  if (!cls) throw new ServiceError('invalid', 'refusal.accounts.chooseClass');
  return { schoolId: scope.schoolId, classId: cls.id };
}

async function managedAccount(
  db: Db,
  actor: StaffActor,
  staffUserId: number,
): Promise<StaffAccountScope> {
  const target = await findStaffAccountScope(db, staffUserId);
  if (!target || !managesAccount(actor, target)) {
    throw new ServiceError('forbidden', 'refusal.accounts.notYours');
  }
  return target;
}

/** Sets a new password chosen by the admin and signs the account out everywhere. */
export async function resetStaffPassword(
  db: Db,
  actor: StaffActor,
  input: { staffUserId: number; password: string },
): Promise<{ login: string }> {
  const target = await managedAccount(db, actor, input.staffUserId);
  const passwordHash = await hashPassword(validPassword(input.password));
  await db.transaction(async (tx) => {
    await setStaffPasswordHash(tx, target.id, passwordHash);
    const sessionsEnded = await deleteStaffSessions(tx, target.id);
    await recordAuditEvent(tx, {
      districtId: target.districtId,
      schoolId: target.schoolId,
      actorType: 'staff',
      actorId: actor.staffUserId,
      action: 'staff.password_reset',
      subjectType: 'staff_user',
      subjectId: String(target.id),
      detail: { login: target.login, sessionsEnded },
    });
  });
  return { login: target.login };
}

/** Disables an account (signed out at once) or enables it again. */
export async function setStaffAccountDisabled(
  db: Db,
  actor: StaffActor,
  input: { staffUserId: number; disabled: boolean; now?: Date },
): Promise<{ login: string }> {
  const target = await managedAccount(db, actor, input.staffUserId);
  await db.transaction(async (tx) => {
    await setStaffDisabledAt(tx, target.id, input.disabled ? (input.now ?? new Date()) : null);
    const sessionsEnded = input.disabled ? await deleteStaffSessions(tx, target.id) : 0;
    await recordAuditEvent(tx, {
      districtId: target.districtId,
      schoolId: target.schoolId,
      actorType: 'staff',
      actorId: actor.staffUserId,
      action: input.disabled ? 'staff.disable' : 'staff.enable',
      subjectType: 'staff_user',
      subjectId: String(target.id),
      detail: { login: target.login, sessionsEnded },
    });
  });
  return { login: target.login };
}
