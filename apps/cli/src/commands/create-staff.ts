import { addStaffAccount } from '@renraku/core/staff';
import {
  STAFF_ROLES,
  staffDisplayNameSchema,
  staffLoginSchema,
  staffPasswordSchema,
  type StaffRole,
} from '@renraku/shared';
import { parseCommandArgs, positiveIntOption, requireOption, validated } from '../args';
import { withDatabase } from '../database';
import { CommandError, UsageError } from '../errors';
import { resolveClass, resolveDistrict, resolveSchool, type ClassReference } from '../lookups';
import { readPassword } from '../password-input';
import type { Command } from './types';

const COMMAND = 'create-staff';

const OPTIONS = {
  role: { type: 'string' },
  login: { type: 'string' },
  name: { type: 'string' },
  district: { type: 'string' },
  school: { type: 'string' },
  'class-id': { type: 'string' },
  grade: { type: 'string' },
  class: { type: 'string' },
} as const;

type Options = ReturnType<typeof parseCommandArgs<typeof OPTIONS>>;

function isStaffRole(value: string): value is StaffRole {
  return (STAFF_ROLES as readonly string[]).includes(value);
}

/** 「2」 and 「2組」 name the same class, as staff say it. */
const className = (name: string) => (/^[0-9]+$/.test(name) ? `${name}組` : name);

/**
 * The scope options that fit the role: the board has the whole district, a school admin one
 * school, a teacher one class of that school. Anything else is refused rather than ignored.
 */
function scopeOf(role: StaffRole, options: Options) {
  const classGiven = [options['class-id'], options.grade, options.class].some(
    (v) => v !== undefined,
  );
  if (role === 'board') {
    if (options.school !== undefined || classGiven) {
      throw new UsageError(
        `${COMMAND}: a board user covers the whole district; --school and class options do not apply`,
      );
    }
    return { schoolCode: undefined, classReference: undefined };
  }
  if (options.school === undefined) {
    throw new UsageError(`${COMMAND}: a ${role} needs --school CODE`);
  }
  if (role === 'school_admin') {
    if (classGiven) {
      throw new UsageError(
        `${COMMAND}: a school_admin covers the whole school; --class-id, --grade and --class do not apply`,
      );
    }
    return { schoolCode: options.school, classReference: undefined };
  }
  return { schoolCode: options.school, classReference: teacherClass(options) };
}

function teacherClass(options: Options): ClassReference {
  const byId = options['class-id'];
  const byName = options.grade !== undefined || options.class !== undefined;
  if (byId !== undefined && byName) {
    throw new UsageError(`${COMMAND}: give either --class-id or --grade with --class, not both`);
  }
  if (byId !== undefined) return { id: positiveIntOption(COMMAND, 'class-id', byId) };
  if (options.grade === undefined || options.class === undefined) {
    throw new UsageError(
      `${COMMAND}: a teacher needs a class: --class-id ID, or --grade G --class NAME`,
    );
  }
  return {
    grade: positiveIntOption(COMMAND, 'grade', options.grade),
    name: className(options.class),
  };
}

/** Creates a staff account; the password comes from stdin, never from the command line. */
export const createStaff: Command = async (args, loadEnv) => {
  const options = parseCommandArgs(COMMAND, args, OPTIONS);
  const role = requireOption(COMMAND, 'role', options.role);
  if (!isStaffRole(role)) {
    throw new UsageError(
      `${COMMAND}: --role must be one of ${STAFF_ROLES.join(', ')}, got "${role}"`,
    );
  }
  const login = validated(
    COMMAND,
    staffLoginSchema,
    '--login',
    requireOption(COMMAND, 'login', options.login),
  );
  const displayName = validated(
    COMMAND,
    staffDisplayNameSchema,
    '--name',
    requireOption(COMMAND, 'name', options.name),
  );
  const scope = scopeOf(role, options);
  const password = validated(
    COMMAND,
    staffPasswordSchema,
    'the password (stdin)',
    await readPassword(`Password for ${login}: `),
  );

  const created = await withDatabase(loadEnv(), async ({ db }) => {
    const district = await resolveDistrict(db, COMMAND, options.district);
    const school = scope.schoolCode
      ? await resolveSchool(db, COMMAND, district.id, scope.schoolCode)
      : undefined;
    const schoolClass =
      school && scope.classReference
        ? await resolveClass(db, COMMAND, school, scope.classReference)
        : undefined;
    // The same service as the accounts page, audited as the operator: the CLI checks the input
    // and place its own way (codes, names), the service stores, audits and guards the login.
    const user = await addStaffAccount(
      db,
      { actorType: 'operator' },
      {
        districtId: district.id,
        login,
        displayName,
        password,
        role,
        schoolId: school?.id ?? null,
        classId: schoolClass?.id ?? null,
      },
    );
    if (!user) throw new CommandError(`${COMMAND}: the login "${login}" is already taken`);
    const where = schoolClass
      ? `${school?.name} ${schoolClass.grade}年${schoolClass.name}`
      : (school?.name ?? district.name);
    return { ...user, where };
  });
  console.log(`created ${role} "${created.login}" (id ${created.id}) for ${created.where}`);
};
