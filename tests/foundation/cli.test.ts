import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  findDistrictByCode,
  findSchoolByCode,
  findSchoolClassByName,
  findStaffUserByLogin,
  schema,
} from '@renraku/db';
import { DEMO_LOGINS } from '@renraku/db/seed';
import { createTestDatabase, type TestDatabase } from '@renraku/db/testing';
import { schoolYearOf } from '@renraku/shared';
import { hashToken } from '@renraku/shared/crypto';
import { verifyPassword } from '@renraku/shared/password';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../support/cli';

// The operator CLI as an operator runs it: a child process with its own environment.

const SECRET_KEY = 'cli-test-secret-key-0123456789abcdefghij';
const STAFF_PASSWORD = 'correct-horse-battery';
const cli = runCli;

describe('pnpm cli', () => {
  let database: TestDatabase;
  let env: Record<string, string>;
  const run = (args: string[], input?: string) => cli(args, env, input);
  const staffCount = async () => (await database.handle.db.select().from(schema.staffUsers)).length;
  /** A class of the seeded demo district, in the current school year. */
  const demoClass = async (schoolCode: string, grade: number, name: string) => {
    const db = database.handle.db;
    const district = await findDistrictByCode(db, 'minato');
    const school = await findSchoolByCode(db, district!.id, schoolCode);
    const schoolYear = schoolYearOf(new Date());
    const schoolClass = await findSchoolClassByName(db, {
      schoolId: school!.id,
      schoolYear,
      grade,
      name,
    });
    return { school: school!, schoolClass: schoolClass! };
  };

  beforeAll(async () => {
    database = await createTestDatabase();
    env = { DATABASE_URL: database.url, SECRET_KEY, MAIL_DOMAIN: 'cli.test' };
  });

  afterAll(async () => {
    await database?.drop();
  });

  it('prints help, and refuses a missing or unknown command', async () => {
    const [help, none, unknown] = await Promise.all([
      cli(['help'], {}),
      cli([], {}),
      cli(['frobnicate', '--now'], {}),
    ]);
    expect(help.code).toBe(0);
    for (const command of [
      'migrate',
      'seed-demo',
      'list-schools',
      'create-staff',
      'create-api-token',
      'generate-vapid-keys',
    ]) {
      expect(help.stdout).toContain(command);
    }
    expect(none.code).toBe(2);
    expect(none.stderr).toContain('Usage: pnpm cli <command>');
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/error: unknown command "frobnicate"/);
    expect(unknown.stderr).toContain('pnpm cli help');
  });

  it('reports bad configuration by variable name', async () => {
    const [badUrl, noSecret] = await Promise.all([
      cli(['list-schools'], { DATABASE_URL: 'mysql://db/renraku' }),
      cli(['seed-demo'], { DATABASE_URL: database.url }),
    ]);
    expect(badUrl.code).toBe(1);
    expect(badUrl.stderr).toMatch(/DATABASE_URL: must start with postgres:\/\//);
    expect(noSecret.code).toBe(1);
    expect(noSecret.stderr).toMatch(/SECRET_KEY: required when DATABASE_URL is set/);
  });

  it('migrates the embedded database when DATABASE_URL is unset', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'renraku-cli-'));
    try {
      const before = await cli(['list-schools'], { DATA_DIR: dataDir });
      expect(before.code).toBe(1);
      expect(before.stderr).toMatch(/run `pnpm cli migrate` first/);
      const migrated = await cli(['migrate'], { DATA_DIR: dataDir });
      expect(migrated.code).toBe(0);
      expect(migrated.stdout).toContain(`migrated the embedded database in ${dataDir}`);
      const listed = await cli(['list-schools', '--json'], { DATA_DIR: dataDir });
      expect(listed.code).toBe(0);
      expect(JSON.parse(listed.stdout)).toEqual([]);
      // Only commands that encrypt need the key, so none was made.
      expect(existsSync(join(dataDir, 'secret.key'))).toBe(false);
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  });

  it('migrates PostgreSQL, seeds the demo once, and lists the schools', async () => {
    const migrated = await run(['migrate']);
    expect(migrated).toMatchObject({ code: 0, stdout: 'migrated the PostgreSQL database\n' });
    const empty = await run(['list-schools']);
    expect(empty.code).toBe(0);
    expect(empty.stdout).toContain('no schools yet');

    const seeded = await run(['seed-demo']);
    expect(seeded.code).toBe(0);
    expect(seeded.stdout).toMatch(/seeded the demo district: 5 schools/);
    for (const login of DEMO_LOGINS) expect(seeded.stdout).toContain(login.login);
    const again = await run(['seed-demo']);
    expect(again).toMatchObject({ code: 0, stdout: expect.stringContaining('already there') });

    const [table, json, unknownDistrict] = await Promise.all([
      run(['list-schools']),
      run(['list-schools', '--json', '--district', 'minato']),
      run(['list-schools', '--district', 'atlantis']),
    ]);
    expect(table.code).toBe(0);
    const lines = table.stdout.trimEnd().split('\n');
    expect(lines[0]).toMatch(/^district\s+code\s+name\s+kind\s+registration address$/);
    expect(lines).toHaveLength(6);
    expect(lines[1]).toMatch(
      /^minato\s+chuosho\s+中央小学校\s+elementary\s+reg-chuosho@cli\.test$/,
    );
    expect(json.code).toBe(0);
    const schools = JSON.parse(json.stdout) as {
      id: number;
      code: string;
      registrationAddress: string;
    }[];
    expect(schools).toHaveLength(5);
    const minato = await findDistrictByCode(database.handle.db, 'minato');
    for (const school of schools) {
      expect(school.registrationAddress).toBe(`reg-${school.code}@cli.test`);
      // The id the API's `schools` and `grades` targets take.
      const stored = await findSchoolByCode(database.handle.db, minato!.id, school.code);
      expect(school.id).toBe(stored!.id);
    }
    expect(unknownDistrict.code).toBe(1);
    expect(unknownDistrict.stderr).toMatch(/no district with code "atlantis"/);
  });

  it('creates staff of each role with the password from stdin', async () => {
    const db = database.handle.db;
    const board = await run(
      ['create-staff', '--role', 'board', '--login', 'Kyoiku.Ito', '--name', '伊藤 学校教育課'],
      `${STAFF_PASSWORD}\n`,
    );
    expect(board.code).toBe(0);
    expect(board.stdout).toMatch(/created board "Kyoiku.Ito"/);
    const admin = await run(
      ['create-staff', '--role', 'school_admin', '--login', 'wakaba-kyoto', '--name', '若葉 教頭'],
      STAFF_PASSWORD,
    );
    expect(admin.code).toBe(2);
    expect(admin.stderr).toMatch(/a school_admin needs --school CODE/);
    const [adminOk, teacher] = await Promise.all([
      run(
        ['create-staff', '--role=school_admin', '--login=wakaba-kyoto', '--name=若葉 教頭'].concat([
          '--school',
          'wakabasho',
        ]),
        STAFF_PASSWORD,
      ),
      run(
        ['create-staff', '--role', 'teacher', '--login', 'wakaba-2-1', '--name', '佐藤先生'].concat(
          ['--school', 'wakabasho', '--grade', '2', '--class', '1'],
        ),
        `${STAFF_PASSWORD}\r\n`,
      ),
    ]);
    expect(adminOk.code).toBe(0);
    expect(teacher.code).toBe(0);
    expect(teacher.stdout).toMatch(/created teacher "wakaba-2-1" \(id \d+\) for 若葉小学校 2年1組/);

    const { school: wakaba, schoolClass: class21 } = await demoClass('wakabasho', 2, '1組');
    const stored = {
      board: await findStaffUserByLogin(db, 'kyoiku.ito'),
      admin: await findStaffUserByLogin(db, 'wakaba-kyoto'),
      teacher: await findStaffUserByLogin(db, 'wakaba-2-1'),
    };
    expect(stored.board).toMatchObject({ role: 'board', schoolId: null, classId: null });
    expect(stored.admin).toMatchObject({
      role: 'school_admin',
      schoolId: wakaba.id,
      classId: null,
    });
    expect(stored.teacher).toMatchObject({
      role: 'teacher',
      schoolId: wakaba.id,
      classId: class21.id,
      displayName: '佐藤先生',
    });
    // The line ending is not part of the password, and only a hash is stored.
    expect(stored.teacher!.passwordHash).not.toContain(STAFF_PASSWORD);
    expect(await verifyPassword(stored.teacher!.passwordHash, STAFF_PASSWORD)).toBe(true);
    expect(await verifyPassword(stored.board!.passwordHash, STAFF_PASSWORD)).toBe(true);
  });

  it('refuses bad create-staff arguments and changes nothing', async () => {
    const before = await staffCount();
    const teacherOf = (school: string, ...classOptions: string[]) => [
      'create-staff',
      '--role',
      'teacher',
      '--login',
      'new-teacher',
      '--name',
      '新任',
      '--school',
      school,
      ...classOptions,
    ];
    const cases: [string[], string, number, RegExp][] = [
      [
        ['create-staff', '--role', 'board', '--name', 'x'],
        STAFF_PASSWORD,
        2,
        /--login is required/,
      ],
      [
        ['create-staff', '--role', 'principal', '--login', 'principal-1', '--name', 'x'],
        STAFF_PASSWORD,
        2,
        /--role must be one of board, school_admin, teacher, got "principal"/,
      ],
      [teacherOf('wakabasho'), STAFF_PASSWORD, 2, /a teacher needs a class/],
      [
        teacherOf('wakabasho', '--class-id', '1', '--grade', '1', '--class', '1組'),
        STAFF_PASSWORD,
        2,
        /either --class-id or --grade with --class/,
      ],
      [
        teacherOf('wakabasho', '--grade', '2', '--class', '1'),
        'short-pw',
        2,
        /password must be at least 12 characters/,
      ],
      [
        [
          'create-staff',
          '--role',
          'board',
          '--login',
          'board-2',
          '--name',
          'x',
          '--school',
          'chuosho',
        ],
        STAFF_PASSWORD,
        2,
        /a board user covers the whole district/,
      ],
      [
        ['create-staff', '--role', 'school_admin', '--login', 'admin-2', '--name', 'x'].concat([
          '--school',
          'chuosho',
          '--class-id',
          '1',
        ]),
        STAFF_PASSWORD,
        2,
        /a school_admin covers the whole school/,
      ],
      [
        ['create-staff', '--role', 'board', '--login', 'x y', '--name', 'x'],
        STAFF_PASSWORD,
        2,
        /--login: login must be/,
      ],
      [
        ['create-staff', '--role', 'board', '--login', 'board-3', '--name', 'x', '--color', 'red'],
        STAFF_PASSWORD,
        2,
        /Unknown option '--color'/,
      ],
      [
        teacherOf('atlantis', '--grade', '1', '--class', '1'),
        STAFF_PASSWORD,
        1,
        /no school with code "atlantis"/,
      ],
      [
        teacherOf('wakabasho', '--grade', '9', '--class', '1'),
        STAFF_PASSWORD,
        1,
        /wakabasho has no class 9年1組/,
      ],
      [
        ['create-staff', '--role', 'board', '--login', 'WAKABA-2-1', '--name', 'x'],
        STAFF_PASSWORD,
        1,
        /the login "WAKABA-2-1" is already taken/,
      ],
    ];
    const results = await Promise.all(cases.map(([args, input]) => run(args, input)));
    results.forEach((result, index) => {
      const [args, , code, message] = cases[index]!;
      expect(result.code, args.join(' ')).toBe(code);
      expect(result.stderr, args.join(' ')).toMatch(message);
      expect(result.stdout).toBe('');
    });
    expect(await staffCount()).toBe(before);
  });

  it("refuses a teacher for another school's class", async () => {
    const db = database.handle.db;
    const { schoolClass: chuoClass } = await demoClass('chuosho', 1, '1組');
    const result = await run(
      ['create-staff', '--role', 'teacher', '--login', 'cross', '--name', 'x'].concat([
        '--school',
        'koyochu',
        '--class-id',
        String(chuoClass.id),
      ]),
      STAFF_PASSWORD,
    );
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(new RegExp(`class ${chuoClass.id} is not a class of koyochu`));
    expect(await findStaffUserByLogin(db, 'cross')).toBeUndefined();
  });

  it('issues an API token once and stores only its hash', async () => {
    const db = database.handle.db;
    const [issued, unknown, missing] = await Promise.all([
      run(['create-api-token', '--login', 'WAKABA-KYOTO', '--name', '校務システム連携']),
      run(['create-api-token', '--login', 'nobody-here']),
      run(['create-api-token', '--name', 'x']),
    ]);
    expect(issued.code).toBe(0);
    const token = issued.stdout.trim();
    expect(token).toMatch(/^rk_[A-Za-z0-9_-]{43}$/);
    expect(issued.stderr).toMatch(/shown only this once/);

    const owner = await findStaffUserByLogin(db, 'wakaba-kyoto');
    const tokens = await db.select().from(schema.apiTokens);
    expect(tokens).toHaveLength(1);
    expect(tokens[0]).toMatchObject({
      staffUserId: owner!.id,
      name: '校務システム連携',
      tokenHash: hashToken(token),
      tokenPrefix: token.slice(0, 11),
      revokedAt: null,
    });
    expect(JSON.stringify(tokens)).not.toContain(token);

    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toMatch(/no staff user with login "nobody-here"/);
    expect(unknown.stdout).toBe('');
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/--login is required/);
    expect(await db.select().from(schema.apiTokens)).toHaveLength(1);
  });
});
