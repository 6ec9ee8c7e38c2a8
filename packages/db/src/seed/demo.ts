import { schoolYearOf, SEED_TEMPLATES, type StaffRole } from '@renraku/shared';
import { randomAuthCode, sealAddress, type Keys } from '@renraku/shared/crypto';
import { hashPassword } from '@renraku/shared/password';
import type { Db, Tx } from '../client';
import { createAddresses } from '../queries/addresses';
import { recordAuditEvent } from '../queries/audit-events';
import { createClasses } from '../queries/classes';
import { createDistrict, findDistrictByCode, listDistricts } from '../queries/districts';
import { createHouseholds } from '../queries/households';
import { insertSeedTemplates } from '../queries/message-templates';
import { createRegistrations } from '../queries/registrations';
import { createSchools } from '../queries/schools';
import { createStaffUsers } from '../queries/staff-users';
import { createStudents } from '../queries/students';
import { planDemoDistrict, regularClassName, type DemoSchoolDefinition } from './roster';
import { SeededRandom } from './random';
import { FAMILY_NAMES } from './names';

// The demo district that `pnpm start` and `pnpm cli seed-demo` create in an empty database:
// a fictional city's board, five schools, about 1,500 pupils, 70 % of them registered.

/** A fictional board, so that nobody mistakes the demo for a real city's data. */
export const DEMO_DISTRICT = { code: 'minato', name: 'みなと市教育委員会' } as const;

/** The one password of every demo login (staff and the demo parent); for the demo only. */
export const DEMO_PASSWORD = 'renraku-demo';

/** The demo parent's login ID: a registration that exists, for trying the parent pages. */
export const DEMO_PARENT_LOGIN = 'demoparent';

const DEMO_SCHOOLS: readonly DemoSchoolDefinition[] = [
  { code: 'chuosho', name: '中央小学校', kind: 'elementary', classesPerGrade: 3 },
  { code: 'wakabasho', name: '若葉小学校', kind: 'elementary', classesPerGrade: 2 },
  { code: 'midorisho', name: '緑ケ丘小学校', kind: 'elementary', classesPerGrade: 2 },
  { code: 'minatochu', name: '港中学校', kind: 'junior_high', classesPerGrade: 3 },
  { code: 'koyochu', name: '光洋中学校', kind: 'junior_high', classesPerGrade: 2 },
];

interface DemoStaff {
  login: string;
  role: StaffRole;
  scope: string;
  schoolCode?: string;
  grade?: number;
  className?: string;
}

const firstSchool = DEMO_SCHOOLS[0]!;

// Board, every school's admin, and a homeroom teacher for each regular class of the first school.
const DEMO_STAFF: readonly DemoStaff[] = [
  { login: 'minato-board', role: 'board', scope: `${DEMO_DISTRICT.name}（全校）` },
  ...DEMO_SCHOOLS.map((school) => ({
    login: `${school.code}-admin`,
    role: 'school_admin' as const,
    scope: `${school.name} 学校管理者`,
    schoolCode: school.code,
  })),
  ...Array.from({ length: 6 * firstSchool.classesPerGrade }, (_, i) => {
    const grade = Math.floor(i / firstSchool.classesPerGrade) + 1;
    const index = (i % firstSchool.classesPerGrade) + 1;
    return {
      login: `${firstSchool.code}-${grade}-${index}`,
      role: 'teacher' as const,
      scope: `${firstSchool.name} ${grade}年${regularClassName(index)} 担任`,
      schoolCode: firstSchool.code,
      grade,
      className: regularClassName(index),
    };
  }),
];

/** One demo login as the start banner prints it. */
export interface DemoLogin {
  login: string;
  role: StaffRole | 'parent';
  /** What the login may see, in Japanese (e.g. 「中央小学校 1年1組 担任」). */
  scope: string;
  password: string;
}

/** Every login the demo seed creates, so the start script can print them. */
export const DEMO_LOGINS: readonly DemoLogin[] = [
  ...DEMO_STAFF.map(({ login, role, scope }) => ({ login, role, scope, password: DEMO_PASSWORD })),
  {
    login: DEMO_PARENT_LOGIN,
    role: 'parent',
    scope: `${firstSchool.name} 1年${regularClassName(1)} 児童の保護者`,
    password: DEMO_PASSWORD,
  },
];

export interface SeedDemoOptions {
  keys: Keys;
  /** Registration addresses are reg-<school code>@<mailDomain>. */
  mailDomain: string;
  /** Decides the school year of the classes; tests pin it. */
  now?: Date;
}

export interface DemoCounts {
  schools: number;
  classes: number;
  households: number;
  students: number;
  registrations: number;
  addresses: number;
  staffUsers: number;
}

export type SeedDemoResult =
  | { seeded: true; districtId: number; counts: DemoCounts }
  /** The demo exists already, or the installation holds real districts the demo must not join. */
  | { seeded: false; reason: 'already-seeded' | 'not-empty' };

/**
 * Seeds the demo district into an empty database, in one transaction and a handful of
 * multi-row INSERTs. Idempotent: with the demo (or any other district) present it changes nothing.
 */
export async function seedDemo(db: Db, options: SeedDemoOptions): Promise<SeedDemoResult> {
  const schoolYear = schoolYearOf(options.now ?? new Date());
  return db.transaction(async (tx) => {
    if (await findDistrictByCode(tx, DEMO_DISTRICT.code)) {
      return { seeded: false, reason: 'already-seeded' };
    }
    if ((await listDistricts(tx)).length > 0) return { seeded: false, reason: 'not-empty' };
    const counts = await insertDemo(tx, options, schoolYear);
    return { seeded: true, ...counts };
  });
}

/** Map lookup for ids just inserted; a miss is a bug in the plan, not bad input. */
function idOf(ids: Map<string, number>, key: string): number {
  const id = ids.get(key);
  if (id === undefined) throw new Error(`demo seed: nothing inserted for ${key}`);
  return id;
}

async function insertDemo(tx: Tx, options: SeedDemoOptions, schoolYear: number) {
  const plan = planDemoDistrict(DEMO_SCHOOLS, schoolYear, DEMO_PARENT_LOGIN);
  // One argon2id hash serves every demo login: hashing 1,000 times would take minutes.
  const passwordHash = await hashPassword(DEMO_PASSWORD);
  const district = await createDistrict(tx, DEMO_DISTRICT);
  const districtId = district.id;

  const schools = await createSchools(
    tx,
    DEMO_SCHOOLS.map((school, index) => ({
      districtId,
      code: school.code,
      name: school.name,
      kind: school.kind,
      registrationAddress: `reg-${school.code}@${options.mailDomain}`,
      authCode: randomAuthCode(),
      sortOrder: index + 1,
    })),
  );
  const schoolIds = new Map(schools.map((school) => [school.code, school.id]));
  const schoolsWithIds = plan.map((school) => ({
    ...school,
    schoolId: idOf(schoolIds, school.definition.code),
  }));

  const classKey = (schoolId: number, grade: number, name: string) =>
    `${schoolId}:${grade}:${name}`;
  const classes = await createClasses(
    tx,
    schoolsWithIds.flatMap(({ schoolId, classes }) =>
      classes.map((c) => ({ districtId, schoolId, schoolYear, ...c })),
    ),
  );
  const classIds = new Map(classes.map((c) => [classKey(c.schoolId, c.grade, c.name), c.id]));

  const households = await createHouseholds(
    tx,
    schoolsWithIds.flatMap(({ schoolId, households }) =>
      households.map((h) => ({ districtId, schoolId, householdKey: h.key, phones: h.phones })),
    ),
  );
  const householdIds = new Map(households.map((h) => [`${h.schoolId}:${h.householdKey}`, h.id]));

  const students = await createStudents(
    tx,
    schoolsWithIds.flatMap(({ schoolId, students }) =>
      students.map((s) => ({
        districtId,
        schoolId,
        classId: idOf(classIds, classKey(schoolId, s.grade, s.className)),
        householdId: idOf(householdIds, `${schoolId}:${s.householdKey}`),
        rosterNumber: s.rosterNumber,
        name: s.name,
        kana: s.kana,
      })),
    ),
  );
  const studentIds = new Map(students.map((s) => [`${s.schoolId}:${s.rosterNumber}`, s.id]));

  const plannedRegistrations = schoolsWithIds.flatMap(({ schoolId, registrations }) =>
    registrations.map((registration) => ({ schoolId, registration })),
  );
  const registrations = await createRegistrations(
    tx,
    plannedRegistrations.map(({ schoolId, registration: r }) => ({
      districtId,
      schoolId,
      classId: idOf(classIds, classKey(schoolId, r.grade, r.className)),
      studentId: idOf(studentIds, `${schoolId}:${r.rosterNumber}`),
      loginId: r.loginId,
      passwordHash,
      childName: r.childName,
      childKana: r.childKana,
    })),
  );
  const registrationIds = new Map(registrations.map((r) => [r.loginId, r.id]));

  const addresses = plannedRegistrations.flatMap(({ registration }) =>
    registration.addresses.map(({ address, role }, index) => ({
      districtId,
      registrationId: idOf(registrationIds, registration.loginId),
      position: index + 1,
      role,
      ...sealAddress(options.keys, address),
    })),
  );
  await createAddresses(tx, addresses);

  // Staff names as colleagues write them: 「佐藤先生」, 「高橋教頭」; one family name each.
  const staffFamilies = new SeededRandom(7).shuffle(FAMILY_NAMES.map(([kanji]) => kanji));
  const staff = await createStaffUsers(
    tx,
    DEMO_STAFF.map((member, index) => {
      const family = staffFamilies[index % staffFamilies.length]!;
      const schoolId = member.schoolCode ? idOf(schoolIds, member.schoolCode) : null;
      return {
        districtId,
        login: member.login,
        passwordHash,
        role: member.role,
        displayName:
          member.role === 'board'
            ? `学校教育課 ${family}`
            : member.role === 'school_admin'
              ? `${family}教頭`
              : `${family}先生`,
        schoolId,
        classId:
          schoolId !== null && member.grade !== undefined && member.className !== undefined
            ? idOf(classIds, classKey(schoolId, member.grade, member.className))
            : null,
      };
    }),
  );

  const counts: DemoCounts = {
    schools: schools.length,
    classes: classes.length,
    households: households.length,
    students: students.length,
    registrations: registrations.length,
    addresses: addresses.length,
    staffUsers: staff.length,
  };
  // The seed catalogue, as installSeedTemplates (core) installs it for a real district; the
  // demo's own transaction and audit row cover it here.
  await insertSeedTemplates(tx, districtId, SEED_TEMPLATES);
  await recordAuditEvent(tx, {
    districtId,
    actorType: 'system',
    action: 'seed.demo',
    subjectType: 'district',
    subjectId: String(districtId),
    detail: { schoolYear, ...counts },
  });
  return { districtId, counts };
}
