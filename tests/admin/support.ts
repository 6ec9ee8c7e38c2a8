import { schema, type Db } from '@renraku/db';
import { createTestDatabase, type TestDatabase } from '@renraku/db/testing';
import { eq } from 'drizzle-orm';
import {
  createClasses,
  createDistrict,
  createSchool,
  createStudent,
  type SchoolFixture,
} from '../roster/fixtures';
import { createLoginStaff, STAFF_PASSWORD } from '../support/staff';
import { startTestWeb } from '../support/web';

// The admin pages end to end through the built web app: a district with two schools, their
// staff, and an HTTP client that posts forms as a browser without JavaScript does.

/** Every fixture account's password. */
export const PASSWORD = STAFF_PASSWORD;
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
  const row = await createLoginStaff(db, {
    districtId,
    login,
    displayName: `${login} 先生`,
    role,
    ...place,
  });
  return row.id;
}

/** A fresh database with the fixtures, and the web app serving it on a free port. */
export async function startAdminWorld(): Promise<AdminWorld> {
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

  const { web, base } = await startTestWeb(database, {
    env: { PUBLIC_URL },
    logName: 'admin-test',
  });
  return {
    database,
    db,
    base,
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

/** Visible text of a page, roughly: scripts, inline styles and tags dropped, quotes decoded. */
export function textOf(html: string): string {
  return html
    .replace(/<(script|style)[\s\S]*?<\/\1>/g, '')
    .replace(/<[^>]+>/g, ' ')
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&amp;/g, '&')
    .replace(/\s+/g, ' ');
}
