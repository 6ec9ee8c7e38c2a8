import { count, eq } from 'drizzle-orm';
import { createApiToken, schema, type Db } from '@renraku/db';
import { createTestDatabase, type TestDatabase } from '@renraku/db/testing';
import type { StaffRole } from '@renraku/shared';
import type { Bus } from '@renraku/shared/bus';
import { hashToken, randomToken } from '@renraku/shared/crypto';
import {
  addFamilies,
  createClass,
  createDistrict,
  createSchool,
  TEST_SECRET_KEY,
} from '../dispatch/fixtures';
import { createLoginStaff, STAFF_PASSWORD } from '../support/staff';
import { startTestWeb, type TestWebOptions } from '../support/web';

// The send tests' world: one district with two schools (and another district), families with
// and without registrations, a board member, two school admins and a teacher who can log in,
// and the built web app started on port 0 against the test file's own database.

export const PASSWORD = STAFF_PASSWORD;

/** A staff user of `role` with a fresh random login. */
function createStaffOfRole(
  db: Db,
  districtId: number,
  role: StaffRole,
  place: { schoolId?: number; classId?: number } = {},
) {
  const login = `${role.replace('_', '-')}-${randomToken(4)
    .toLowerCase()
    .replace(/[^a-z0-9]/g, 'x')}`;
  return createLoginStaff(db, { districtId, login, displayName: `${role} 先生`, role, ...place });
}

/** Builds the world in a fresh database and starts the web on it. */
export async function startSendWorld(
  options: {
    bus?: Bus;
    env?: Record<string, string>;
    logDestination?: TestWebOptions['logDestination'];
  } = {},
) {
  const database: TestDatabase = await createTestDatabase();
  const { db } = database.handle;
  const district = await createDistrict(db, '湊市教育委員会');
  const schoolA = await createSchool(db, district.id, '湊第一小学校');
  const schoolB = await createSchool(db, district.id, '湊第二小学校');
  const a11 = await createClass(db, schoolA, 1, '1組');
  const a12 = await createClass(db, schoolA, 1, '2組');
  const a21 = await createClass(db, schoolA, 2, '1組');
  const b11 = await createClass(db, schoolB, 1, '1組');
  const other = await createDistrict(db, '隣町教育委員会');
  const otherSchool = await createSchool(db, other.id, '隣町小学校');
  const otherClass = await createClass(db, otherSchool, 1, '1組');

  // a11: two registered families (one with two addresses) and one unregistered family;
  // a12: siblings sharing an address with a child in a21; b11: one registered family.
  await addFamilies(db, [
    [{ klass: a11, name: '青木 一郎', addresses: ['aoki-1@example.jp', 'aoki-2@example.jp'] }],
    [{ klass: a11, name: '井上 二郎', addresses: ['inoue@example.jp'] }],
    [{ klass: a11, name: '上田 三郎', addresses: [] }],
    [
      { klass: a12, name: '江藤 花子', addresses: ['eto@example.jp'] },
      { klass: a21, name: '江藤 太郎', addresses: ['eto@example.jp'] },
    ],
    [{ klass: b11, name: '小野 四郎', addresses: ['ono@example.jp'] }],
  ]);
  await addFamilies(db, [
    [{ klass: otherClass, name: '他 町子', addresses: ['other@example.jp'] }],
  ]);

  const board = await createStaffOfRole(db, district.id, 'board');
  const adminA = await createStaffOfRole(db, district.id, 'school_admin', { schoolId: schoolA.id });
  const adminB = await createStaffOfRole(db, district.id, 'school_admin', { schoolId: schoolB.id });
  const teacherA11 = await createStaffOfRole(db, district.id, 'teacher', {
    schoolId: schoolA.id,
    classId: a11.id,
  });
  const otherBoard = await createStaffOfRole(db, other.id, 'board');

  const { web, base } = await startTestWeb(database, {
    bus: options.bus,
    env: { SECRET_KEY: TEST_SECRET_KEY, ...options.env },
    logName: 'send-test',
    logDestination: options.logDestination,
  });

  return {
    db,
    database,
    /** For a CLI run against the same database. */
    databaseUrl: database.url,
    base,
    district,
    schools: { a: schoolA, b: schoolB, other: otherSchool },
    classes: { a11, a12, a21, b11, other: otherClass },
    staff: { board, adminA, adminB, teacherA11, otherBoard },
    async close() {
      await web.close();
      await database.drop();
    },
  };
}

export type SendWorld = Awaited<ReturnType<typeof startSendWorld>>;

/** A bearer token acting as the staff member. */
export async function tokenFor(db: Db, staffUserId: number): Promise<string> {
  const token = randomToken();
  await createApiToken(db, {
    staffUserId,
    name: 'test integration',
    tokenHash: hashToken(token),
    tokenPrefix: token.slice(0, 6),
  });
  return token;
}

/** POST /api/v1/messages with a bearer token, and an Idempotency-Key when given. */
export function postMessage(
  base: string,
  token: string,
  body: unknown,
  key?: string,
): Promise<Response> {
  return fetch(`${base}/api/v1/messages`, {
    method: 'POST',
    headers: {
      authorization: `Bearer ${token}`,
      'content-type': 'application/json',
      ...(key ? { 'idempotency-key': key } : {}),
    },
    body: JSON.stringify(body),
  });
}

/** A form post as a browser without JavaScript makes it; repeated fields for arrays. */
export function postForm(
  base: string,
  path: string,
  fields: Record<string, string | (string | number)[]>,
  cookie?: string,
  headers: Record<string, string> = {},
): Promise<Response> {
  const body = new URLSearchParams();
  for (const [name, value] of Object.entries(fields)) {
    for (const item of Array.isArray(value) ? value : [value]) body.append(name, String(item));
  }
  return fetch(`${base}${path}`, {
    method: 'POST',
    redirect: 'manual',
    headers: {
      accept: 'text/html',
      'content-type': 'application/x-www-form-urlencoded',
      origin: base,
      ...(cookie ? { cookie } : {}),
      ...headers,
    },
    body,
  });
}

/** Logs in through the login form; returns the session cookie pair. */
export async function logIn(base: string, login: string): Promise<string> {
  const response = await postForm(base, '/staff/login?/login', { login, password: PASSWORD });
  const header = response.headers.getSetCookie().find((c) => c.startsWith('renraku_staff='));
  if (!header) throw new Error(`login failed for ${login}: ${response.status}`);
  return header.split(';')[0]!;
}

export async function messageCount(db: Db): Promise<number> {
  const [row] = await db.select({ n: count() }).from(schema.messages);
  return row!.n;
}

export async function sendAudits(db: Db) {
  return db.select().from(schema.auditEvents).where(eq(schema.auditEvents.action, 'message.send'));
}
