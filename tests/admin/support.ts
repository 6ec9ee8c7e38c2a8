import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { schema, type Db } from '@renraku/db';
import { createTestDatabase, type TestDatabase } from '@renraku/db/testing';
import { eq } from 'drizzle-orm';
import { createInProcessBus } from '@renraku/shared/bus';
import { deriveKeys } from '@renraku/shared/crypto';
import { createLogger } from '@renraku/shared/logger';
import { hashPassword } from '@renraku/shared/password';
import { loadWebEnv, startWeb } from '../../apps/web/server/index';
import {
  createClasses,
  createDistrict,
  createSchool,
  createStudent,
  type SchoolFixture,
} from '../roster/fixtures';

// The admin pages end to end through the built web app: a district with two schools, their
// staff, and an HTTP client that posts forms as a browser without JavaScript does.

const handlerFile = fileURLToPath(new URL('../../apps/web/build/handler.js', import.meta.url));

/** Every fixture account's password (long enough for the staff password rule). */
export const PASSWORD = 'correct horse battery staple';
export const PUBLIC_URL = 'http://renraku.test';

/** What the admin tests work with. */
export interface AdminWorld {
  database: TestDatabase;
  db: Db;
  base: string;
  close(): Promise<void>;
  school: SchoolFixture;
  otherSchool: SchoolFixture;
  /** Classes of `school` by "grade:name". */
  classes: Map<string, number>;
  otherClasses: Map<string, number>;
  /** One enrolled student of each school. */
  studentId: number;
  otherStudentId: number;
  staff: { board: number; admin: number; otherAdmin: number; teacher: number };
}

async function createStaff(
  db: Db,
  districtId: number,
  login: string,
  role: 'board' | 'school_admin' | 'teacher',
  place: { schoolId?: number; classId?: number } = {},
): Promise<number> {
  const [row] = await db
    .insert(schema.staffUsers)
    .values({
      districtId,
      login,
      passwordHash: await hashPassword(PASSWORD),
      displayName: `${login} 先生`,
      role,
      ...place,
    })
    .returning({ id: schema.staffUsers.id });
  return row!.id;
}

/** A fresh database with the fixtures, and the web app serving it on a free port. */
export async function startAdminWorld(): Promise<AdminWorld> {
  if (!existsSync(handlerFile)) {
    throw new Error(`${handlerFile} is missing: run \`pnpm --filter @renraku/web build\` first.`);
  }
  const database = await createTestDatabase();
  const db = database.handle.db;
  const districtId = await createDistrict(db);
  const school = await createSchool(db, districtId, { name: '若草小学校' });
  const otherSchool = await createSchool(db, districtId, { name: '青葉小学校' });
  await db
    .update(schema.schools)
    .set({ authCode: 'QRSTUVWX' })
    .where(eq(schema.schools.id, otherSchool.id));
  const classes = await createClasses(db, school, [1, 2, 3, 4, 5, 6]);
  const otherClasses = await createClasses(db, otherSchool, [1, 2, 3, 4, 5, 6]);
  const student = await createStudent(db, school, {
    classId: classes.get('1:1組')!,
    rosterNumber: 'A001',
    name: '山田 花子',
    kana: 'ヤマダ ハナコ',
  });
  const otherStudent = await createStudent(db, otherSchool, {
    classId: otherClasses.get('1:1組')!,
    rosterNumber: 'B001',
    name: '佐藤 一郎',
    kana: 'サトウ イチロウ',
  });
  const staff = {
    board: await createStaff(db, districtId, 'board.sato', 'board'),
    admin: await createStaff(db, districtId, 'admin.wakakusa', 'school_admin', {
      schoolId: school.id,
    }),
    otherAdmin: await createStaff(db, districtId, 'admin.aoba', 'school_admin', {
      schoolId: otherSchool.id,
    }),
    teacher: await createStaff(db, districtId, 'teacher.wakakusa', 'teacher', {
      schoolId: school.id,
      classId: classes.get('1:1組')!,
    }),
  };

  const env = loadWebEnv({
    PORT: '0',
    PUBLIC_URL,
    SECRET_KEY: 's'.repeat(40),
    DATABASE_URL: database.url,
    LOG_LEVEL: 'silent',
  });
  const web = await startWeb({
    env,
    db,
    dbHandle: database.handle,
    bus: createInProcessBus(),
    keys: deriveKeys(env.secretKey),
    logger: createLogger('admin-test', 'silent'),
  });
  return {
    database,
    db,
    base: `http://127.0.0.1:${web.port}`,
    async close() {
      await web.close();
      await database.drop();
    },
    school,
    otherSchool,
    classes,
    otherClasses,
    studentId: student.id,
    otherStudentId: otherStudent.id,
    staff,
  };
}

/** A browser without JavaScript: HTML wanted, the site's Origin on posts, its own session cookie. */
export class Visitor {
  cookie = '';

  constructor(readonly base: string) {}

  get(path: string, headers: Record<string, string> = {}): Promise<Response> {
    return fetch(`${this.base}${path}`, {
      redirect: 'manual',
      headers: { accept: 'text/html', ...(this.cookie ? { cookie: this.cookie } : {}), ...headers },
    });
  }

  /** A form post: fields as x-www-form-urlencoded, or a FormData (multipart, with files). */
  post(path: string, fields: Record<string, string> | FormData): Promise<Response> {
    const body = fields instanceof FormData ? fields : new URLSearchParams(fields);
    return fetch(`${this.base}${path}`, {
      method: 'POST',
      redirect: 'manual',
      headers: {
        accept: 'text/html',
        origin: this.base,
        ...(this.cookie ? { cookie: this.cookie } : {}),
      },
      body,
    });
  }

  /** Logs in and keeps the session cookie; throws when the login is refused. */
  async logIn(login: string, password = PASSWORD): Promise<this> {
    const response = await this.post('/staff/login?/login', { login, password });
    const cookie = response.headers
      .getSetCookie()
      .find((c) => c.startsWith('renraku_staff='))
      ?.split(';')[0];
    if (response.status !== 303 || !cookie) throw new Error(`login ${login} refused`);
    this.cookie = cookie;
    return this;
  }
}

/** The visitor signed in as `login`. */
export function signedIn(world: AdminWorld, login: string): Promise<Visitor> {
  return new Visitor(world.base).logIn(login);
}

/** A CSV file in a multipart form, as a file input sends it. */
export function csvForm(
  fields: Record<string, string>,
  file?: { field: string; bytes: Uint8Array; name?: string },
): FormData {
  const form = new FormData();
  for (const [name, value] of Object.entries(fields)) form.set(name, value);
  if (file) {
    form.set(file.field, new Blob([file.bytes], { type: 'text/csv' }), file.name ?? 'roster.csv');
  }
  return form;
}

/** The sealed file fields of a preview page (HeldFile.svelte), to post the confirmation. */
export function heldFieldsOf(html: string): Record<string, string> {
  const fields: Record<string, string> = {};
  for (const name of ['heldFile', 'heldAt', 'heldSeal']) {
    const match = new RegExp(`name="${name}" value="([^"]*)"`).exec(html);
    if (!match?.[1]) throw new Error(`no ${name} in the page`);
    fields[name] = match[1];
  }
  return fields;
}

/** Visible text of a page, roughly: tags dropped, entities for quotes decoded. */
export function textOf(html: string): string {
  return html
    .replace(/<script[\s\S]*?<\/script>/g, '')
    .replace(/<[^>]+>/g, ' ')
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&amp;/g, '&')
    .replace(/\s+/g, ' ');
}
