import { count, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { schema } from '@renraku/db';
import { runCli } from '../support/cli';
import { logIn, messageCount, postForm, startSendWorld, type SendWorld } from '../send/harness';
import { CLOSURE } from './fixtures';

// The doors without JavaScript: /staff/templates' form (refusals say why and store nothing,
// scope by role), the compose form from a template (a bad slot sends nothing), and
// `pnpm cli templates seed` (idempotent; a wrong command line or district refused).

let world: SendWorld;
let cookies: Record<'board' | 'adminA' | 'teacher', string>;

const variantFields = (variants: Record<string, { subject: string; body: string }>) =>
  Object.fromEntries(
    Object.entries(variants).flatMap(([language, text]) => [
      [`subject.${language}`, text.subject],
      [`body.${language}`, text.body],
    ]),
  );

const closureForm = {
  name: CLOSURE.name,
  category: CLOSURE.category,
  slots: Object.entries(CLOSURE.slots)
    .map(([slot, type]) => `${slot}=${type}`)
    .join('\n'),
  ...variantFields(CLOSURE.variants),
};

async function templateCount(): Promise<number> {
  const [row] = await world.db.select({ n: count() }).from(schema.messageTemplates);
  return row!.n;
}

beforeAll(async () => {
  world = await startSendWorld();
  cookies = {
    board: await logIn(world.base, world.staff.board.login),
    adminA: await logIn(world.base, world.staff.adminA.login),
    teacher: await logIn(world.base, world.staff.teacherA11.login),
  };
});

afterAll(async () => {
  await world?.close();
});

describe('/staff/templates', () => {
  it('saves the board’s template into the district’s catalogue', async () => {
    const response = await postForm(
      world.base,
      '/staff/templates/new?/save',
      closureForm,
      cookies.board,
    );
    expect(response.status).toBe(303);
    expect(response.headers.get('location')).toBe('/staff/templates?saved=1');
    const [row] = await world.db.select().from(schema.messageTemplates);
    expect(row).toMatchObject({ schoolId: null, name: '臨時休業', slots: CLOSURE.slots });
    const list = await fetch(`${world.base}/staff/templates`, {
      headers: { cookie: cookies.teacher },
    });
    const html = await list.text();
    expect(html).toContain('臨時休業');
    expect(html).toContain('English');
    // A teacher reads, and is offered no way to change it.
    expect(html).not.toContain('?/delete');
  });

  const refusals: [string, Record<string, string>, string][] = [
    [
      'a translation missing a slot',
      {
        ...closureForm,
        'subject.en': '{学校名}: School closed',
        'body.en': '{学校名} is closed. Next notice by {時刻}.',
      },
      '翻訳（English）に {日付} がありません。',
    ],
    [
      'an unknown slot type',
      { ...closureForm, slots: '日付=weekday' },
      '種類「weekday」は使えません',
    ],
    ['a slot line without a type', { ...closureForm, slots: '日付' }, '種類「」は使えません'],
    ['control characters', { ...closureForm, name: '臨時\u0008休業' }, '使えない文字'],
    [
      'too long a subject',
      { ...closureForm, 'subject.ja': `{学校名}{日付}{時刻}${'あ'.repeat(100)}` },
      '100文字以内',
    ],
    [
      'no Japanese',
      { ...closureForm, 'subject.ja': '', 'body.ja': '' },
      '日本語の件名と本文は必須です。',
    ],
  ];
  it.each(refusals)('refuses %s, saying why, storing nothing', async (_name, form, text) => {
    const before = await templateCount();
    const response = await postForm(world.base, '/staff/templates/new?/save', form, cookies.board);
    expect(response.status).toBe(400);
    expect(await response.text()).toContain(text);
    expect(await templateCount()).toBe(before);
  });

  it('lets a school admin neither change nor delete the district’s, and a teacher nothing', async () => {
    const [row] = await world.db.select().from(schema.messageTemplates);
    const edit = await postForm(
      world.base,
      `/staff/templates/${row!.id}?/save`,
      { ...closureForm, name: '変更' },
      cookies.adminA,
    );
    expect(edit.status).toBe(403);
    const remove = await postForm(
      world.base,
      '/staff/templates?/delete',
      { templateId: String(row!.id) },
      cookies.adminA,
    );
    expect(remove.status).toBe(403);
    const create = await postForm(
      world.base,
      '/staff/templates/new?/save',
      closureForm,
      cookies.teacher,
    );
    expect(create.status).toBe(403);
    expect(await templateCount()).toBe(1);
    const [kept] = await world.db.select().from(schema.messageTemplates);
    expect(kept!.name).toBe('臨時休業');
  });
});

describe('the compose form from a template', () => {
  it('refuses a bad slot naming it, sends nothing; a good one previews the filled text', async () => {
    const [row] = await world.db.select().from(schema.messageTemplates);
    const form = (slots: Record<string, string>) => ({
      templateId: String(row!.id),
      category: 'emergency_contact',
      targetKind: 'schools',
      schoolIds: [world.schools.a.id],
      when: 'now',
      idempotencyKey: 'compose-template-0001',
      ...Object.fromEntries(Object.entries(slots).map(([slot, value]) => [`slot.${slot}`, value])),
    });
    const before = await messageCount(world.db);
    const bad = await postForm(
      world.base,
      `/staff/messages/new?template=${row!.id}&/send`,
      form({ 日付: '2026-13-01', 時刻: '06:30' }),
      cookies.adminA,
    );
    expect(bad.status).toBe(400);
    expect(await bad.text()).toContain(
      '「日付」は正しい日付（2026-12-03 の形）で入力してください。',
    );
    expect(await messageCount(world.db)).toBe(before);

    const preview = await postForm(
      world.base,
      `/staff/messages/new?template=${row!.id}&/preview`,
      form({ 日付: '2026-12-03', 時刻: '06:30' }),
      cookies.adminA,
    );
    expect(preview.status).toBe(200);
    const html = await preview.text();
    expect(html).toContain('湊第一小学校 12月3日（木）は臨時休業です');
    expect(html).toContain('日本語、やさしい日本語、English、한국어');
    expect(await messageCount(world.db)).toBe(before);
  });

  it('says before sending that a free message goes in Japanese only', async () => {
    const page = await fetch(`${world.base}/staff/messages/new`, {
      headers: { cookie: cookies.adminA },
    });
    expect(await page.text()).toContain('自由記述のメッセージは日本語のみで送信されます');
  });
});

describe('pnpm cli templates seed', () => {
  it('installs the catalogue once and refuses a wrong command line', async () => {
    const env = { DATABASE_URL: world.databaseUrl };
    const first = await runCli(['templates', 'seed', '--district', world.district.code], env);
    expect(first.code).toBe(0);
    const added = Number(/: (\d+) template/.exec(first.stdout)?.[1]);
    expect(added).toBeGreaterThan(0);
    const again = await runCli(['templates', 'seed'], env);
    expect(again.stdout).toContain(`${world.district.code}: 0 template(s) added`);
    const keyed = await world.db
      .select()
      .from(schema.messageTemplates)
      .where(eq(schema.messageTemplates.districtId, world.district.id));
    expect(keyed.filter((row) => row.key !== null)).toHaveLength(added);

    const unknown = await runCli(['templates', 'seed', '--district', 'nowhere'], env);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toContain('no district with code "nowhere"');
    expect((await runCli(['templates', 'plant'], env)).code).toBe(2);
    expect((await runCli(['templates', 'seed', '--school', 'x'], env)).code).toBe(2);
  });
});
