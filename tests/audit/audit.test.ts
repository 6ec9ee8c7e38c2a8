import { recordAuditEvent, schema } from '@renraku/db';
import { jstLocalOf } from '@renraku/shared';
import { eq, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signedIn, startAdminWorld, textOf, type AdminWorld, type Visitor } from '../admin/support';
import { createDistrict, createSchool } from '../roster/fixtures';

// The audit trail (/staff/audit) over HTTP, as a school PC without JavaScript reads it: who
// sees which events, the filters, the CSV door, bad filter values, and the database's refusal
// to change what was recorded.

let world: AdminWorld;
let board: Visitor;
let admin: Visitor;
let otherAdmin: Visitor;
let teacher: Visitor;

const today = jstLocalOf(new Date()).slice(0, 10);

/** The text of a trail page's rows (not of its filter form), newest first. */
function rowsTextOf(html: string): string {
  return [...html.matchAll(/<tr data-action="[^"]+"[\s\S]*?<\/tr>/g)]
    .map((match) => textOf(match[0]))
    .join('\n');
}

/** A CSV download's text, with the byte-order mark Excel needs (text() would drop it). */
async function csvOf(response: Response): Promise<string> {
  return new TextDecoder('utf-8', { ignoreBOM: true }).decode(await response.arrayBuffer());
}

/** The staff menu's link to the trail (SvelteKit writes it relative to the page). */
const NAV_LINK = /href="(\.{1,2})?\/staff\/audit"/;

/** The data-action of each row of a trail page, newest first. */
function actionsOf(html: string): string[] {
  return [...html.matchAll(/<tr data-action="([^"]+)"/g)].map((match) => match[1]!);
}

async function trail(visitor: Visitor, query = ''): Promise<{ status: number; html: string }> {
  const response = await visitor.get(`/staff/audit${query}`);
  return { status: response.status, html: await response.text() };
}

beforeAll(async () => {
  world = await startAdminWorld();
  [board, admin, otherAdmin, teacher] = await Promise.all([
    signedIn(world, 'board.sato'),
    signedIn(world, 'admin.wakakusa'),
    signedIn(world, 'admin.aoba'),
    signedIn(world, 'teacher.wakakusa'),
  ]);
  // Events through the real doors: each school rotates its code, the board issues a token.
  for (const visitor of [admin, otherAdmin]) {
    const rotated = await visitor.post('/staff/school/codes?/rotateSchool', { confirm: 'yes' });
    expect(rotated.status).toBe(200);
  }
  expect((await board.post('/staff/tokens?/create', { name: '防災システム' })).status).toBe(200);
  // A detail that quotes an address, as no recorder should: the trail still never shows it.
  await recordAuditEvent(world.db, {
    districtId: world.school.districtId,
    schoolId: world.school.id,
    actorType: 'staff',
    actorId: world.staff.admin,
    action: 'roster.import',
    subjectType: 'school',
    subjectId: String(world.school.id),
    detail: { note: 'oyako@docomo.ne.jp' },
  });
});

afterAll(async () => {
  await world?.close();
});

describe('who reads which trail', () => {
  it('shows the board every school’s events and its own, with names and labels', async () => {
    const { status, html } = await trail(board);
    expect(status).toBe(200);
    const text = textOf(html);
    expect(text).toContain('若草小学校');
    expect(text).toContain('青葉小学校');
    expect(text).toContain('学校の認証コードの再発行');
    expect(text).toContain('APIトークンの発行');
    expect(text).toContain('admin.aoba 先生');
    expect(actionsOf(html).filter((action) => action === 'auth_code.rotate')).toHaveLength(2);
  });

  it('shows a school admin only the events about their school', async () => {
    const { status, html } = await trail(admin);
    expect(status).toBe(200);
    const text = textOf(html);
    expect(text).toContain('若草小学校');
    expect(text).not.toContain('青葉小学校');
    expect(text).not.toContain('admin.aoba');
    // The board's own token is district-wide: the board's alone.
    expect(actionsOf(html)).not.toContain('api_token.create');
    expect(actionsOf(html).filter((action) => action === 'auth_code.rotate')).toHaveLength(1);
  });

  it('refuses a school admin another school, on the page and in the CSV', async () => {
    const other = `?school=${world.otherSchool.id}`;
    expect((await trail(admin, other)).status).toBe(403);
    expect((await admin.get(`/staff/audit.csv${other}`)).status).toBe(403);
  });

  it('refuses teachers the page and the CSV, and shows them no link', async () => {
    expect((await trail(teacher)).status).toBe(403);
    const csv = await teacher.get('/staff/audit.csv');
    expect(csv.status).toBe(403);
    expect(csv.headers.get('content-type')).not.toContain('text/csv');
    expect(await (await teacher.get('/staff')).text()).not.toMatch(NAV_LINK);
    expect(await (await admin.get('/staff')).text()).toMatch(NAV_LINK);
  });
});

describe('filters', () => {
  it('narrows by action, by person and by school', async () => {
    const byAction = actionsOf((await trail(board, '?action=auth_code.rotate')).html);
    expect(byAction).toEqual(['auth_code.rotate', 'auth_code.rotate']);
    const byPerson = actionsOf((await trail(board, `?staff=${world.staff.otherAdmin}`)).html);
    expect(byPerson.length).toBeGreaterThan(0);
    expect(byPerson).toContain('auth_code.rotate');
    expect(byPerson).not.toContain('roster.import');
    const bySchool = rowsTextOf((await trail(board, `?school=${world.otherSchool.id}`)).html);
    expect(bySchool).toContain('青葉小学校');
    expect(bySchool).not.toContain('若草小学校');
  });

  it('takes dates as Japan days', async () => {
    expect(actionsOf((await trail(board, `?from=${today}&to=${today}`)).html)).toContain(
      'auth_code.rotate',
    );
    const tomorrow = jstLocalOf(new Date(Date.now() + 24 * 3600 * 1000)).slice(0, 10);
    const later = await trail(board, `?from=${tomorrow}`);
    expect(later.status).toBe(200);
    expect(actionsOf(later.html)).toEqual([]);
    expect(textOf(later.html)).toContain('条件に合う記録はありません。');
  });

  it('answers bad values with the reason and no rows, never a 500', async () => {
    for (const [query, reason] of [
      ['?from=2026-02-30', '実在する日'],
      ['?to=yesterday', '実在する日'],
      ['?from=2026-04-08&to=2026-04-07', '終了日は開始日'],
      ['?action=message.delete', 'その操作はありません'],
      ['?staff=abc', '絞り込みの値が正しくありません'],
      ['?before=-1', '絞り込みの値が正しくありません'],
    ] as const) {
      const { status, html } = await trail(board, query);
      expect(status, query).toBe(200);
      expect(textOf(html), query).toContain(reason);
      expect(actionsOf(html), query).toEqual([]);
    }
    expect((await board.get('/staff/audit.csv?action=message.delete')).status).toBe(400);
  });

  it('shows nothing for a school of another district', async () => {
    const districtId = await createDistrict(world.db);
    const foreign = await createSchool(world.db, districtId, { name: '遠い町小学校' });
    await recordAuditEvent(world.db, {
      districtId,
      schoolId: foreign.id,
      actorType: 'operator',
      action: 'seed.demo',
    });
    const { status, html } = await trail(board, `?school=${foreign.id}`);
    expect(status).toBe(200);
    expect(actionsOf(html)).toEqual([]);
  });

  it('pages newest first, fifty at a time, with the filter kept', async () => {
    for (let i = 0; i < 55; i += 1) {
      await recordAuditEvent(world.db, {
        districtId: world.school.districtId,
        schoolId: world.school.id,
        actorType: 'staff',
        actorId: world.staff.admin,
        action: 'callList.mark',
        subjectType: 'household',
        subjectId: String(i),
      });
    }
    const first = await trail(admin, '?action=callList.mark');
    expect(actionsOf(first.html)).toHaveLength(50);
    expect(textOf(first.html)).toContain('household 54');
    const next = /href="([^"]*staff\/audit\?[^"]*before=\d+)" rel="next"/.exec(first.html)?.[1];
    expect(next).toContain('action=callList.mark');
    const url = new URL(next!.replace(/&amp;/g, '&'), `${world.base}/staff/audit`);
    const second = await admin.get(`${url.pathname}${url.search}`);
    const html = await second.text();
    expect(actionsOf(html)).toHaveLength(5);
    expect(textOf(html)).toContain('household 0');
    expect(textOf(html)).not.toContain('household 54');
  });
});

describe('the CSV', () => {
  it('holds the filtered rows in the reader’s scope, no address, and is itself audited', async () => {
    const response = await admin.get('/staff/audit.csv?action=roster.import');
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('text/csv; charset=utf-8');
    const csv = await csvOf(response);
    expect(csv.startsWith('\uFEFF日時,学校,操作した人,操作,対象,内容')).toBe(true);
    expect(csv).toContain('名簿の取り込み');
    expect(csv).toContain('admin.wakakusa 先生');
    expect(csv).not.toContain('@');
    expect(csv).not.toContain('青葉小学校');
    const [exported] = await world.db
      .select()
      .from(schema.auditEvents)
      .where(eq(schema.auditEvents.action, 'audit.export'));
    expect(exported).toMatchObject({
      actorId: world.staff.admin,
      schoolId: world.school.id,
      detail: { action: 'roster.import', rows: 1 },
    });
  });

  it('gives the board every school and words it in the chosen English', async () => {
    const english = { cookie: `${board.cookie}; renraku_lang=en` };
    const csv = await csvOf(await board.get('/staff/audit.csv', english));
    expect(csv.startsWith('\uFEFFTime,School,Done by,Action,Subject,Details')).toBe(true);
    expect(csv).toContain('School auth code renewed');
    expect(csv).toContain('若草小学校');
    expect(csv).toContain('青葉小学校');
    expect(csv).not.toContain('@');
  });
});

describe('append-only in the database', () => {
  it('refuses UPDATE, DELETE and TRUNCATE of audit_events', async () => {
    const all = () => world.db.select().from(schema.auditEvents).orderBy(schema.auditEvents.id);
    const before = await all();
    for (const statement of [
      sql`update audit_events set action = 'seed.demo'`,
      sql`delete from audit_events where id = ${before[0]!.id}`,
      sql`truncate audit_events`,
    ]) {
      // drizzle wraps the database's error; its cause is PostgreSQL's own words.
      await expect(world.db.execute(statement)).rejects.toMatchObject({
        cause: { message: expect.stringMatching(/^audit_events is append-only/) },
      });
    }
    expect(await all()).toEqual(before);
  });

  it('lets a removed district take its events with it', async () => {
    const districtId = await createDistrict(world.db);
    await recordAuditEvent(world.db, { districtId, actorType: 'operator', action: 'seed.demo' });
    await world.db.delete(schema.districts).where(eq(schema.districts.id, districtId));
    const left = await world.db
      .select()
      .from(schema.auditEvents)
      .where(eq(schema.auditEvents.districtId, districtId));
    expect(left).toEqual([]);
  });
});
