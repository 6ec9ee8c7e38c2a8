import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { eq } from 'drizzle-orm';
import { schema } from '@renraku/db';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signedIn, startAdminWorld, textOf, type AdminWorld, type Visitor } from '../admin/support';

// Issue 12 items 20 and 24 through the staff forms and the CLI: a display name with CR/LF ends
// up in every mail's signature, a bidi override makes a name read backwards, and bytes that
// are not UTF-8 would be stored as U+FFFD. Each is refused and nothing is stored.

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

let world: AdminWorld;
let board: Visitor;

beforeAll(async () => {
  world = await startAdminWorld();
  board = await signedIn(world, 'board.sato');
});

afterAll(async () => {
  await world?.close();
});

async function staffNames(): Promise<string[]> {
  const rows = await world.db.select().from(schema.staffUsers);
  return rows.map((row) => row.displayName);
}

/** The board's form for a new board account. */
const createBoardAccount = (login: string, displayName: string) =>
  board.post('/staff/accounts?/create', {
    role: 'board',
    login,
    displayName,
    password: 'a-long-enough-password',
  });

const BAD_NAMES = [
  ['CR/LF', '田村 教頭\r\nBcc: everyone@example.jp'],
  ['LF', '田村\n教頭'],
  ['a bell', '田村\u0007教頭'],
  ['an RLO', '田村\u202e頭教'],
  ['an isolate', '\u2067田村 教頭'],
  ['U+FFFD', '田村\ufffd教頭'],
] as const;

describe('staff-entered text (items 20 and 24)', () => {
  it.each(BAD_NAMES)('refuses a display name with %s in the accounts form', async (_what, name) => {
    const before = await staffNames();
    const response = await createBoardAccount('new.board', name);
    expect(response.status).toBe(400);
    expect(textOf(await response.text())).toContain('制御文字は使えません');
    expect(await staffNames()).toEqual(before);
  });

  it('still creates an account with an ordinary name', async () => {
    const response = await createBoardAccount('tamura.kyoto', '田村 教頭');
    expect(response.status).toBe(200);
    expect(await staffNames()).toContain('田村 教頭');
  });

  it.each(BAD_NAMES)('refuses an API token name with %s', async (_what, name) => {
    const response = await board.post('/staff/tokens?/create', { name });
    expect(response.status).toBe(400);
    const tokens = await world.db
      .select()
      .from(schema.apiTokens)
      .where(eq(schema.apiTokens.staffUserId, world.staff.board));
    expect(tokens).toEqual([]);
  });

  it('refuses a form whose bytes are not UTF-8 before any action runs', async () => {
    const before = await staffNames();
    for (const broken of ['%FF', '%E7%94', '%C0%AF', '%ED%A0%80']) {
      const response = await fetch(`${world.base}/staff/accounts?/create`, {
        method: 'POST',
        redirect: 'manual',
        headers: {
          accept: 'text/html',
          origin: world.base,
          cookie: board.cookie,
          'content-type': 'application/x-www-form-urlencoded',
        },
        body: `role=board&login=broken.name&password=a-long-enough-password&displayName=%E7%94%B0${broken}`,
      });
      expect(response.status, broken).toBe(400);
    }
    expect(await staffNames()).toEqual(before);
  });

  it('refuses the same names in pnpm cli create-staff, storing nothing', async () => {
    const before = await staffNames();
    for (const [, name] of BAD_NAMES) {
      const run = await new Promise<{ code: number | null; stderr: string }>((resolve, reject) => {
        const child = spawn(
          process.execPath,
          ['--import', 'tsx', 'apps/cli/src/main.ts', 'create-staff', '--role', 'board'].concat([
            '--login',
            'cli.board',
            '--name',
            name,
          ]),
          {
            cwd: ROOT,
            env: {
              PATH: process.env.PATH ?? '',
              DATABASE_URL: world.database.url,
              SECRET_KEY: 'cli-test-secret-key-0123456789abcdefghij',
            },
          },
        );
        let stderr = '';
        child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
        child.on('error', reject);
        child.on('close', (code) => resolve({ code, stderr }));
        child.stdin.end('a-long-enough-password\n');
      });
      expect(run.code, JSON.stringify(name)).not.toBe(0);
      expect(run.stderr).toContain('--name');
      expect(run.stderr).not.toMatch(/at .*\.ts:\d+/);
    }
    expect(await staffNames()).toEqual(before);
  });
});
