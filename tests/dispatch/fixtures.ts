import { randomBytes } from 'node:crypto';
import { eq } from 'drizzle-orm';
import { createMessage, schema, type Db, type NewMessage } from '@renraku/db';
import { schoolYearOf, type AddressHealth, type SchoolKind, type StaffRole } from '@renraku/shared';
import { blindIndex, carrierDomainOf, deriveKeys, encryptAddress } from '@renraku/shared/crypto';
import { createLogger } from '@renraku/shared/logger';
import { loadDispatcherEnv, startDispatcher } from '@renraku/dispatcher';
import { createInProcessBus, type Bus } from '@renraku/shared/bus';

// Small builders for the dispatch tests: a district with schools, classes of the current
// school year, roster families and registered addresses, inserted in bulk with drizzle.

export const TEST_SECRET_KEY = 'dispatch-tests-secret-key-0123456789abcdef';
export const keys = deriveKeys(TEST_SECRET_KEY);
export const currentYear = schoolYearOf(new Date());

const unique = () => randomBytes(4).toString('hex');

export async function createDistrict(db: Db, name = '湊市教育委員会') {
  const [row] = await db
    .insert(schema.districts)
    .values({ code: `d-${unique()}`, name })
    .returning();
  return row!;
}

export async function createSchool(
  db: Db,
  districtId: number,
  name: string,
  kind: SchoolKind = 'elementary',
) {
  const code = unique();
  const [row] = await db
    .insert(schema.schools)
    .values({
      districtId,
      code,
      name,
      kind,
      registrationAddress: `touroku-${code}@renraku.test`,
      authCode: 'ABCD2345',
    })
    .returning();
  return row!;
}

export async function createClass(
  db: Db,
  school: { id: number; districtId: number },
  grade: number,
  name: string,
  schoolYear = currentYear,
) {
  const [row] = await db
    .insert(schema.classes)
    .values({ districtId: school.districtId, schoolId: school.id, schoolYear, grade, name })
    .returning();
  return row!;
}

export async function createStaff(
  db: Db,
  districtId: number,
  role: StaffRole,
  displayName: string,
  schoolId: number | null = null,
) {
  const [row] = await db
    .insert(schema.staffUsers)
    .values({
      districtId,
      login: `staff-${unique()}`,
      passwordHash: 'not-used',
      displayName,
      role,
      schoolId,
    })
    .returning();
  return row!;
}

type ClassRow = Awaited<ReturnType<typeof createClass>>;

/** A district with its board and one class: all that a send to the district needs. */
export async function createDistrictWithClass(db: Db, schoolName: string) {
  const district = await createDistrict(db);
  const board = await createStaff(db, district.id, 'board', '教育委員会');
  const school = await createSchool(db, district.id, schoolName);
  const klass = await createClass(db, school, 4, '1組');
  return { district, board, school, klass };
}

/**
 * A confirmed send with the defaults of a board's emergency contact, sent at once; `now` picks
 * the school year whose classes it reaches (today's by default).
 */
export function sendMessage(
  db: Db,
  message: Pick<NewMessage, 'districtId' | 'authorId' | 'target'> & Partial<NewMessage>,
  now?: Date,
) {
  return createMessage(
    db,
    {
      schoolId: null,
      category: 'emergency_contact',
      subject: '臨時休校のお知らせ',
      body: '本日は台風のため臨時休校とします。',
      scheduledAt: null,
      idempotencyKey: null,
      ...message,
    },
    now,
  );
}

/** A child of a family: enrolled in `klass` unless said otherwise; unregistered if no addresses. */
export interface ChildSpec {
  klass: ClassRow;
  name: string;
  status?: 'enrolled' | 'graduated' | 'transferred';
  /** The registration's addresses; an empty list means the child has no registration. */
  addresses: (string | { address: string; health: AddressHealth })[];
}

/**
 * Adds families in four bulk inserts (households, students, registrations, addresses):
 * family i is one household with its children. Returns the ids in family order.
 */
export async function addFamilies(db: Db, families: ChildSpec[][]) {
  const first = families[0]![0]!.klass;
  const tag = unique();
  const households = await db
    .insert(schema.households)
    .values(
      families.map((children, i) => ({
        districtId: first.districtId,
        schoolId: children[0]!.klass.schoolId,
        householdKey: `h-${tag}-${i}`,
        phones: [{ label: '自宅', number: `03-0000-${String(i).padStart(4, '0')}` }],
      })),
    )
    .returning({ id: schema.households.id });
  const children = families.flatMap((list, i) =>
    list.map((child, j) => ({ child, householdId: households[i]!.id, key: `${tag}-${i}-${j}` })),
  );
  const students = await db
    .insert(schema.students)
    .values(
      children.map(({ child, householdId, key }) => ({
        districtId: child.klass.districtId,
        schoolId: child.klass.schoolId,
        classId: child.klass.id,
        householdId,
        rosterNumber: key,
        name: child.name,
        kana: 'みなと',
        status: child.status ?? 'enrolled',
      })),
    )
    .returning({ id: schema.students.id });
  const registered = children
    .map((entry, i) => ({ ...entry, studentId: students[i]!.id }))
    .filter(({ child }) => child.addresses.length > 0);
  const registrations =
    registered.length === 0
      ? []
      : await db
          .insert(schema.registrations)
          .values(
            registered.map(({ child, studentId, key }) => ({
              districtId: child.klass.districtId,
              schoolId: child.klass.schoolId,
              classId: child.klass.id,
              studentId,
              loginId: `login-${key}`,
              passwordHash: 'not-used',
              childName: child.name,
              childKana: 'みなと',
            })),
          )
          .returning({ id: schema.registrations.id });
  const addressRows = registered.flatMap(({ child }, i) =>
    child.addresses.map((spec, position) => {
      const { address, health } =
        typeof spec === 'string' ? { address: spec, health: 'active' as const } : spec;
      return {
        districtId: child.klass.districtId,
        registrationId: registrations[i]!.id,
        position: position + 1,
        ciphertext: encryptAddress(keys, address),
        blindIndex: blindIndex(keys, address),
        carrierDomain: carrierDomainOf(address),
        health,
      };
    }),
  );
  for (let i = 0; i < addressRows.length; i += 1000) {
    await db.insert(schema.addresses).values(addressRows.slice(i, i + 1000));
  }
  return {
    householdIds: households.map((row) => row.id),
    studentIds: students.map((row) => row.id),
  };
}

/** `count` one-child families in `klass`, each with one address made by `address(i)`. */
export function simpleFamilies(klass: ClassRow, count: number, address: (i: number) => string) {
  return Array.from({ length: count }, (_, i) => [
    { klass, name: `児童${i}`, addresses: [address(i)] },
  ]);
}

/** Deliveries of a message as the assertions need them. */
export async function deliveriesOf(db: Db, messageId: number) {
  return db
    .select()
    .from(schema.deliveries)
    .where(eq(schema.deliveries.messageId, messageId))
    .orderBy(schema.deliveries.id);
}

export async function messageRow(db: Db, messageId: number) {
  const [row] = await db.select().from(schema.messages).where(eq(schema.messages.id, messageId));
  return row!;
}

/** Polls until `check` holds; tests use it instead of sleeping a guessed time. */
export async function waitFor(check: () => boolean | Promise<boolean>, timeoutMs = 30_000) {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('condition not reached in time');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** Whether every delivery of the message has left the dispatcher's hands. */
export async function messageDone(db: Db, messageId: number) {
  return (await messageRow(db, messageId)).state === 'done';
}

/** Dispatcher settings for tests: small batches, quick polls and retries in milliseconds. */
export function dispatcherEnv(smtpUrl: string, extra: Record<string, string> = {}) {
  return loadDispatcherEnv({
    SMTP_URL: smtpUrl,
    SECRET_KEY: TEST_SECRET_KEY,
    MAIL_DOMAIN: 'renraku.test',
    PUBLIC_URL: 'https://renraku.example.jp',
    DISPATCH_BATCH_SIZE: '50',
    DISPATCH_CONCURRENCY: '8',
    DISPATCH_POLL_MS: '50',
    DISPATCH_FLUSH_MS: '50',
    DISPATCH_LEASE_MS: '5000',
    DISPATCH_MAX_ATTEMPTS: '3',
    DISPATCH_RETRY_BASE_MS: '20',
    DISPATCH_RETRY_MAX_MS: '100',
    ...extra,
  });
}

export const silentLogger = createLogger('dispatch-test', 'warn');

/** An in-process dispatcher as `startDispatcher` runs it in production, with test settings. */
export function startTestDispatcher(
  db: Db,
  smtpUrl: string,
  options: { bus?: Bus; env?: Record<string, string> } = {},
) {
  return startDispatcher({
    env: dispatcherEnv(smtpUrl, options.env),
    db,
    bus: options.bus ?? createInProcessBus(),
    keys,
    logger: silentLogger,
  });
}
