import { MAX_GRADE, type AddressRole, type SchoolKind } from '@renraku/shared';
import type { RosterPhone } from '../schema';
import { BOYS_NAMES, FAMILY_NAMES, GIRLS_NAMES } from './names';
import { SeededRandom } from './random';

// The demo district as plain data, before anything touches the database: classes, households,
// pupils and registrations of each school, all drawn from one seeded PRNG.

export interface DemoSchoolDefinition {
  code: string;
  name: string;
  kind: SchoolKind;
  classesPerGrade: number;
}

export interface PlannedClass {
  grade: number;
  name: string;
  sortOrder: number;
}

export interface PlannedHousehold {
  key: string;
  phones: RosterPhone[];
}

export interface PlannedStudent {
  rosterNumber: string;
  name: string;
  kana: string;
  grade: number;
  className: string;
  householdKey: string;
}

export interface PlannedAddress {
  /** Plaintext only in memory; the seed encrypts it before it reaches the database. */
  address: string;
  role: AddressRole;
}

export interface PlannedRegistration {
  loginId: string;
  rosterNumber: string;
  childName: string;
  childKana: string;
  grade: number;
  className: string;
  addresses: PlannedAddress[];
}

export interface PlannedSchool {
  definition: DemoSchoolDefinition;
  classes: PlannedClass[];
  households: PlannedHousehold[];
  students: PlannedStudent[];
  registrations: PlannedRegistration[];
}

/**
 * 特別支援学級. The data model takes a pupil's grade from the class, so the school's
 * ひまわり学級 exists once per grade (「3年 ひまわり学級」): grade mails and the yearly
 * roll-over then treat its pupils like everyone else of their grade.
 */
export const SPECIAL_CLASS_NAME = 'ひまわり学級';

/** 「1組」「2組」…, the regular classes of a grade. */
export function regularClassName(index: number): string {
  return `${index}組`;
}

// Shares loosely like Japanese families' mail: the three carriers' own domains and the
// smartphone mail most parents now use.
const CARRIER_DOMAINS = [
  ['docomo.ne.jp', 26],
  ['ezweb.ne.jp', 14],
  ['softbank.ne.jp', 8],
  ['i.softbank.jp', 14],
  ['icloud.com', 22],
  ['gmail.com', 16],
] as const;

/** How much of the district registers: whole households mostly, and most of their children. */
const HOUSEHOLD_REGISTERS = 0.74;
const CHILD_OF_REGISTERED_HOUSEHOLD_REGISTERS = 0.95;

// The most common names several times as often as the rarest, as in a real class list.
const FAMILY_WEIGHTS = FAMILY_NAMES.map(
  (family, index) => [family, 4 - (3 * index) / FAMILY_NAMES.length] as const,
);

const pad = (value: number, length: number) => String(value).padStart(length, '0');

interface Counters {
  loginIds: Set<string>;
  addresses: number;
}

/**
 * Plans the whole demo district. `demoParentLogin` is given to the first pupil of
 * 1年1組 at the first school, so the start banner can name a parent login that exists.
 */
export function planDemoDistrict(
  schools: readonly DemoSchoolDefinition[],
  schoolYear: number,
  demoParentLogin: string,
  seed = 20_250_401,
): PlannedSchool[] {
  const random = new SeededRandom(seed);
  const counters: Counters = { loginIds: new Set([demoParentLogin]), addresses: 0 };
  return schools.map((definition, index) => {
    const classes = planClasses(definition);
    const { households, children } = planHouseholds(random, classes, definition.kind);
    const students = assignRosterNumbers(children, classes, schoolYear);
    const registrations = planRegistrations(random, students, {
      kind: definition.kind,
      schoolYear,
      counters,
      demoParentLogin: index === 0 ? demoParentLogin : undefined,
    });
    return { definition, classes, households, students, registrations };
  });
}

function planClasses(school: DemoSchoolDefinition): PlannedClass[] {
  const classes: PlannedClass[] = [];
  for (let grade = 1; grade <= MAX_GRADE[school.kind]; grade++) {
    for (let index = 1; index <= school.classesPerGrade; index++) {
      classes.push({ grade, name: regularClassName(index), sortOrder: grade * 100 + index });
    }
    classes.push({ grade, name: SPECIAL_CLASS_NAME, sortOrder: grade * 100 + 50 });
  }
  return classes;
}

interface PlannedChild {
  seat: PlannedClass;
  householdKey: string;
  family: readonly [string, string, string];
  given: readonly [string, string];
}

function classSize(random: SeededRandom, seat: PlannedClass, kind: SchoolKind): number {
  if (seat.name === SPECIAL_CLASS_NAME) return random.int(0, 2);
  return kind === 'elementary' ? random.int(22, 28) : random.int(26, 32);
}

/** Fills every seat; a household takes one seat and sometimes a sibling's in another grade. */
function planHouseholds(random: SeededRandom, classes: PlannedClass[], kind: SchoolKind) {
  const seats = random.shuffle(
    classes.flatMap((seat) => Array.from({ length: classSize(random, seat, kind) }, () => seat)),
  );
  const households: PlannedHousehold[] = [];
  const children: PlannedChild[] = [];
  for (let first = seats.pop(); first; first = seats.pop()) {
    const members = [first];
    const size = random.weighted([
      [1, 72],
      [2, 22],
      [3, 6],
    ]);
    while (members.length < size) {
      const index = seats.findIndex((seat) => members.every((m) => m.grade !== seat.grade));
      if (index < 0) break;
      members.push(...seats.splice(index, 1));
    }
    const householdKey = `H${pad(households.length + 1, 4)}`;
    const family = random.weighted(FAMILY_WEIGHTS);
    households.push({ key: householdKey, phones: planPhones(random) });
    const givenNames = new Set<string>();
    for (const seat of members) {
      const names = random.chance(0.5) ? BOYS_NAMES : GIRLS_NAMES;
      let given = random.pick(names);
      while (givenNames.has(given[0])) given = random.pick(names);
      givenNames.add(given[0]);
      children.push({ seat, householdKey, family, given });
    }
  }
  return { households, children };
}

const PHONE_LABELS = ['母', '父', '自宅'] as const;

/** One or two numbers per household, as the school's roster holds them. */
function planPhones(random: SeededRandom): RosterPhone[] {
  const first = random.weighted([
    ['母', 65],
    ['父', 20],
    ['自宅', 15],
  ] as const);
  const labels: string[] = [first];
  if (random.chance(0.55)) labels.push(random.pick(PHONE_LABELS.filter((l) => l !== first)));
  return labels.map((label) => ({
    label,
    number:
      label === '自宅'
        ? `0144-${random.int(31, 79)}-${random.digits(4)}`
        : `${random.pick(['090', '080', '070'])}-${random.digits(4)}-${random.digits(4)}`,
  }));
}

/** Code-point order: katakana sort in 五十音 order, the same on every Node and ICU version. */
const compareText = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/** The romaji of the family name stays with the pupil until the login ID is made. */
type StudentWithFamily = PlannedStudent & { familyRomaji: string };

/** Roster numbers as schools hand them out: year of entry plus a running number. */
function assignRosterNumbers(
  children: PlannedChild[],
  classes: PlannedClass[],
  schoolYear: number,
): StudentWithFamily[] {
  const order = new Map(classes.map((seat) => [seat, seat.sortOrder]));
  const sorted = [...children].sort(
    (a, b) =>
      order.get(a.seat)! - order.get(b.seat)! ||
      compareText(`${a.family[1]}${a.given[1]}`, `${b.family[1]}${b.given[1]}`),
  );
  const running = new Map<number, number>();
  return sorted.map((child) => {
    const entryYear = schoolYear - child.seat.grade + 1;
    const number = (running.get(entryYear) ?? 0) + 1;
    running.set(entryYear, number);
    return {
      rosterNumber: `${entryYear}${pad(number, 3)}`,
      // The stored form of names and kana (shared/kana.ts): one ASCII space between the parts.
      name: `${child.family[0]} ${child.given[0]}`,
      kana: `${child.family[1]} ${child.given[1]}`,
      grade: child.seat.grade,
      className: child.seat.name,
      householdKey: child.householdKey,
      familyRomaji: child.family[2],
    };
  });
}

/**
 * Demo addresses. They use the real carriers' domains, so that per-carrier throttling and the
 * figures look as they will in production, with local parts no real mailbox is likely to have.
 * The embedded mode sends only to its built-in catcher, so nothing ever leaves the machine;
 * never seed the demo into an installation whose SMTP_URL points at a real relay.
 */
function demoAddress(random: SeededRandom, counters: Counters, who: 'hogosha' | 'kodomo') {
  counters.addresses += 1;
  return `demo-${who}-${pad(counters.addresses, 4)}@${random.weighted(CARRIER_DOMAINS)}`;
}

/** Leaflet: a login ID already taken gets the year of entry, then a letter, added. */
function uniqueLoginId(counters: Counters, base: string): string {
  for (let suffix = 0; ; suffix++) {
    const candidate = suffix === 0 ? base : `${base}${letters(suffix)}`;
    if (!counters.loginIds.has(candidate)) {
      counters.loginIds.add(candidate);
      return candidate;
    }
  }
}

/** 1 → a, 26 → z, 27 → aa. */
function letters(n: number): string {
  const rest = Math.floor((n - 1) / 26);
  const letter = String.fromCharCode(97 + ((n - 1) % 26));
  return rest === 0 ? letter : `${letters(rest)}${letter}`;
}

function planRegistrations(
  random: SeededRandom,
  students: StudentWithFamily[],
  context: {
    kind: SchoolKind;
    schoolYear: number;
    counters: Counters;
    demoParentLogin: string | undefined;
  },
): PlannedRegistration[] {
  const { counters } = context;
  const demoStudent = context.demoParentLogin
    ? students.find((s) => s.grade === 1 && s.className === regularClassName(1))
    : undefined;
  const householdRegisters = new Map<string, boolean>();
  const guardianAddresses = new Map<string, string[]>();
  const registrations: PlannedRegistration[] = [];
  for (const student of students) {
    const key = student.householdKey;
    if (!householdRegisters.has(key)) {
      householdRegisters.set(
        key,
        key === demoStudent?.householdKey || random.chance(HOUSEHOLD_REGISTERS),
      );
    }
    const isDemo = student === demoStudent;
    if (!householdRegisters.get(key)) continue;
    if (!isDemo && !random.chance(CHILD_OF_REGISTERED_HOUSEHOLD_REGISTERS)) continue;

    // Siblings' registrations usually share the guardians' addresses.
    let guardians = guardianAddresses.get(key);
    if (!guardians) {
      const count = random.weighted([
        [1, 50],
        [2, 42],
        [3, 8],
      ]);
      guardians = Array.from({ length: count }, () => demoAddress(random, counters, 'hogosha'));
      guardianAddresses.set(key, guardians);
    }
    const addresses: PlannedAddress[] = (random.chance(0.85) ? guardians : guardians.slice(0, 1))
      .slice(0, 3)
      .map((address) => ({ address, role: 'guardian' }));
    // Older children sometimes add their own phone, after a guardian's (leaflet).
    const older = context.kind === 'junior_high' || student.grade >= 5;
    if (older && addresses.length < 3 && random.chance(0.3)) {
      addresses.push({ address: demoAddress(random, counters, 'kodomo'), role: 'child' });
    }
    const entryYear = context.schoolYear - student.grade + 1;
    registrations.push({
      loginId:
        isDemo && context.demoParentLogin
          ? context.demoParentLogin
          : uniqueLoginId(counters, `${student.familyRomaji}${entryYear}`),
      rosterNumber: student.rosterNumber,
      childName: student.name,
      childKana: student.kana,
      grade: student.grade,
      className: student.className,
      addresses,
    });
  }
  return registrations;
}
