import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eq } from 'drizzle-orm';
import {
  listDistrictSchools,
  listManagedStaffUsers,
  listSchoolsWithDistrict,
  listTargetOptions,
  schema,
  type Db,
} from '@renraku/db';
import { createTestDatabase, type TestDatabase } from '@renraku/db/testing';
import { schoolYearOf, type SchoolKind } from '@renraku/shared';
import { addFamilies, createClass, createSchool, sendMessage } from '../dispatch/fixtures';
import {
  apiToken,
  districtWithBoard,
  signedInStaff,
  startTestWeb,
  type RunningWeb,
} from './harness';

// One order of schools everywhere (the board's order: its sort order, then 小学校 before 中学校,
// then the school code), whatever the names' reading or the codes say alone; and the board's
// long call list narrowed to one school, on the page, in the CSV and in the API.

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

let database: TestDatabase;
let db: Db;
let web: RunningWeb;
let base: string;
let districtId: number;
let messageId: number;
let boardCookie: string;
let adminCookie: string;
let boardToken: string;
let schoolIds: Record<string, number>;

/** Listed in the board's order; by name, reading or code alone each would come out otherwise. */
const SCHOOLS: { name: string; kind: SchoolKind; code: string; sortOrder: number }[] = [
  { name: '青葉小学校', kind: 'elementary', code: 'e01', sortOrder: 0 },
  { name: '山手小学校', kind: 'elementary', code: 'e02', sortOrder: 0 },
  { name: '緑中学校', kind: 'junior_high', code: 'c01', sortOrder: 0 },
  { name: '海辺小学校', kind: 'elementary', code: 'e00', sortOrder: 1 },
];
const BOARD_ORDER = SCHOOLS.map((school) => school.name);

/** The school names in the order they first appear in a text. */
function orderIn(text: string): string[] {
  const found = BOARD_ORDER.filter((name) => text.includes(name));
  return found.sort((a, b) => text.indexOf(a) - text.indexOf(b));
}

async function page(path: string, cookie = boardCookie): Promise<string> {
  const response = await fetch(`${base}${path}`, { headers: { cookie, accept: 'text/html' } });
  expect(response.status, path).toBe(200);
  return response.text();
}

function api(path: string): Promise<Response> {
  return fetch(`${base}/api/v1${path}`, { headers: { authorization: `Bearer ${boardToken}` } });
}

interface CallListJson {
  households: number;
  groups: { schoolId: number; schoolName: string; rows: unknown[] }[];
}

/** The school column of a call-list CSV, one entry per row. */
function csvSchools(text: string): string[] {
  return text
    .replace(/^\uFEFF/, '')
    .trim()
    .split('\r\n')
    .slice(1)
    .map((line) => line.split(',')[0]!);
}

const distinct = (names: string[]) => [...new Set(names)];

beforeAll(async () => {
  database = await createTestDatabase();
  db = database.handle.db;
  ({ web, base } = await startTestWeb(database));
  const { district, staff: board, cookie } = await districtWithBoard(db);
  districtId = district.id;
  boardCookie = cookie;
  schoolIds = {};
  const families = [];
  // Created in another order than the board's, so insertion order proves nothing either.
  for (const spec of [...SCHOOLS].reverse()) {
    const school = await createSchool(db, district.id, spec.name, spec.kind);
    await db
      .update(schema.schools)
      .set({ code: spec.code, sortOrder: spec.sortOrder })
      .where(eq(schema.schools.id, school.id));
    schoolIds[spec.name] = school.id;
    const klass = await createClass(db, school, 1, '1組');
    families.push([{ klass, name: `${spec.name.slice(0, 2)} 太郎`, addresses: [] }]);
    families.push([{ klass, name: `${spec.name.slice(0, 2)} 花子`, addresses: [] }]);
  }
  await addFamilies(db, families);
  ({ cookie: adminCookie } = await signedInStaff(
    db,
    district.id,
    'school_admin',
    '青葉小 教頭',
    schoolIds['青葉小学校'],
  ));
  boardToken = await apiToken(db, board.id);
  messageId = (
    await sendMessage(db, { districtId, authorId: board.id, target: { kind: 'district' } })
  ).id;
});

afterAll(async () => {
  await web?.close();
  await database?.drop();
});

describe('the order of schools', () => {
  it('is the board’s order on the call list page, in its CSV and in the API', async () => {
    const list = (await (await api(`/messages/${messageId}/call-list`)).json()) as CallListJson;
    expect(distinct(list.groups.map((group) => group.schoolName))).toEqual(BOARD_ORDER);
    const csv = await (await api(`/messages/${messageId}/call-list.csv`)).text();
    expect(distinct(csvSchools(csv))).toEqual(BOARD_ORDER);
    const html = await page(`/staff/messages/${messageId}/call-list`);
    const headings = [...html.matchAll(/<h2[^>]*>([^<]*)/g)].map((m) => m[1]!).join('\n');
    expect(orderIn(headings)).toEqual(BOARD_ORDER);
  });

  it('is the same on the dashboard, the overview, the statistics and the compose page', async () => {
    for (const path of [
      `/staff/messages/${messageId}`,
      '/staff/overview',
      '/staff/statistics',
      '/staff/messages/new',
    ]) {
      expect(orderIn(await page(path)), path).toEqual(BOARD_ORDER);
    }
  });

  it('is the same in every query that lists schools, and in `pnpm cli list-schools`', async () => {
    const names = (rows: { name: string }[]) => rows.map((row) => row.name);
    expect(names(await listSchoolsWithDistrict(db, districtId))).toEqual(BOARD_ORDER);
    expect(names(await listDistrictSchools(db, districtId))).toEqual(BOARD_ORDER);
    const targets = await listTargetOptions(db, { districtId }, schoolYearOf(new Date()));
    expect(names(targets.schools)).toEqual(BOARD_ORDER);
    const admins = await Promise.all(
      SCHOOLS.map((school, i) =>
        signedInStaff(db, districtId, 'school_admin', `管理者 ${i}`, schoolIds[school.name]),
      ),
    );
    expect(admins).toHaveLength(SCHOOLS.length);
    const managed = await listManagedStaffUsers(db, { districtId, roles: ['school_admin'] });
    expect(distinct(managed.map((user) => user.schoolName!))).toEqual(BOARD_ORDER);

    const run = await new Promise<{ code: number | null; stdout: string }>((resolve, reject) => {
      const child = spawn(
        process.execPath,
        ['--import', 'tsx', 'apps/cli/src/main.ts', 'list-schools', '--json'],
        {
          cwd: ROOT,
          env: {
            PATH: process.env.PATH ?? '',
            DATABASE_URL: database.url,
            SECRET_KEY: 'school-order-test-secret-key-0123456789',
          },
        },
      );
      let stdout = '';
      child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
      child.on('error', reject);
      child.on('close', (code) => resolve({ code, stdout }));
    });
    expect(run.code).toBe(0);
    expect(names(JSON.parse(run.stdout) as { name: string }[])).toEqual(BOARD_ORDER);
  });
});

describe('the board’s call list narrowed to one school', () => {
  it('offers every school of the message in the board’s order, as a GET form and as jumps', async () => {
    const html = await page(`/staff/messages/${messageId}/call-list`);
    const field = html.indexOf('name="school"');
    expect(field).toBeGreaterThan(0);
    const form = html.slice(html.lastIndexOf('<form', field), html.indexOf('</form>', field));
    expect(form).toMatch(/method="get"/i);
    expect(form).toContain('name="school"');
    expect(orderIn(form)).toEqual(BOARD_ORDER);
    for (const name of BOARD_ORDER) {
      expect(form).toContain(`value="${schoolIds[name]}"`);
      expect(html).toContain(`href="#school-${schoolIds[name]}"`);
      expect(html).toContain(`id="school-${schoolIds[name]}"`);
    }
  });

  it('shows only the chosen school on the page, in the CSV and in the API', async () => {
    const yamate = schoolIds['山手小学校']!;
    const html = await page(`/staff/messages/${messageId}/call-list?school=${yamate}`);
    const headings = [...html.matchAll(/<h2[^>]*>([^<]*)/g)].map((m) => m[1]!).join('\n');
    expect(orderIn(headings)).toEqual(['山手小学校']);
    expect(html).toContain('山手 太郎');
    expect(html).not.toContain('青葉 太郎');
    // The form keeps the choice, and the CSV link downloads what is shown.
    expect(html).toMatch(new RegExp(`value="${yamate}"[^>]*selected`));
    expect(html).toContain(`call-list.csv?school=${yamate}`);

    const list = (await (
      await api(`/messages/${messageId}/call-list?school=${yamate}`)
    ).json()) as CallListJson;
    expect(list.groups.map((group) => group.schoolName)).toEqual(['山手小学校']);
    expect(list.households).toBe(2);
    const csv = await (await api(`/messages/${messageId}/call-list.csv?school=${yamate}`)).text();
    expect(csvSchools(csv)).toEqual(['山手小学校', '山手小学校']);
    const rows = await fetch(
      `${base}/staff/messages/${messageId}/call-list/rows?school=${yamate}`,
      { headers: { cookie: boardCookie } },
    );
    expect(((await rows.json()) as CallListJson).groups.map((g) => g.schoolName)).toEqual([
      '山手小学校',
    ]);
  });

  it('keeps a school admin to their own school whatever school is asked for', async () => {
    const yamate = schoolIds['山手小学校']!;
    const html = await page(`/staff/messages/${messageId}/call-list?school=${yamate}`, adminCookie);
    expect(html).toContain('青葉 太郎');
    expect(html).not.toContain('山手 太郎');
    const rows = await fetch(
      `${base}/staff/messages/${messageId}/call-list/rows?school=${yamate}`,
      { headers: { cookie: adminCookie } },
    );
    const list = (await rows.json()) as CallListJson;
    expect(distinct(list.groups.map((g) => g.schoolName))).toEqual(['青葉小学校']);
  });

  it('ignores a school parameter that is not an id, and shows nothing for an unknown school', async () => {
    for (const bad of ['abc', '-1', '1.5', '', '99999999999']) {
      const list = (await (
        await api(`/messages/${messageId}/call-list?school=${encodeURIComponent(bad)}`)
      ).json()) as CallListJson;
      expect(distinct(list.groups.map((g) => g.schoolName)), bad).toEqual(BOARD_ORDER);
    }
    const unknown = (await (
      await api(`/messages/${messageId}/call-list?school=999999`)
    ).json()) as CallListJson;
    expect(unknown.groups).toEqual([]);
    expect(unknown.households).toBe(0);
  });
});
