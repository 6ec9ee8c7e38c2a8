import { count, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { schema } from '@renraku/db';
import { createTestDatabase, type TestDatabase } from '@renraku/db/testing';
import {
  installSeedTemplates,
  removeTemplate,
  saveTemplate,
  templateMessage,
  templatesFor,
} from '@renraku/core/templates';
import { SEED_TEMPLATES, ServiceError, type StaffScope } from '@renraku/shared';
import { createClass, createDistrict, createSchool } from '../dispatch/fixtures';

// The template service on PostgreSQL: what it refuses stores nothing, and each role keeps only
// its own place's templates (the board the district's, a school admin its school's).

let database: TestDatabase;
let ctx: { db: TestDatabase['handle']['db'] };
let scopes: Record<'board' | 'adminA' | 'adminB' | 'teacher', StaffScope>;
let districtId: number;
let schoolIds: { a: number; b: number };

const staff = (scope: StaffScope, id = 1) => ({ id, scope });

const valid = {
  name: '避難訓練',
  category: 'education_info',
  slots: { 日付: 'date', 場所: 'text' },
  variants: {
    ja: { subject: '{日付} 避難訓練', body: '{日付}に{場所}で避難訓練をします。' },
    en: { subject: 'Drill on {日付}', body: 'A drill at {場所} on {日付}.' },
  },
};

async function templateCount(): Promise<number> {
  const [row] = await ctx.db.select({ n: count() }).from(schema.messageTemplates);
  return row!.n;
}

async function refusal(work: Promise<unknown>): Promise<ServiceError> {
  const caught = await work.then(
    () => null,
    (error: unknown) => error,
  );
  expect(caught).toBeInstanceOf(ServiceError);
  return caught as ServiceError;
}

beforeAll(async () => {
  database = await createTestDatabase();
  ctx = { db: database.handle.db };
  const district = await createDistrict(ctx.db);
  districtId = district.id;
  const a = await createSchool(ctx.db, district.id, '湊第一小学校');
  const b = await createSchool(ctx.db, district.id, '湊第二小学校');
  const klass = await createClass(ctx.db, a, 1, '1組');
  schoolIds = { a: a.id, b: b.id };
  scopes = {
    board: { role: 'board', districtId },
    adminA: { role: 'school_admin', districtId, schoolId: a.id },
    adminB: { role: 'school_admin', districtId, schoolId: b.id },
    teacher: { role: 'teacher', districtId, schoolId: a.id, classId: klass.id },
  };
});

afterAll(async () => {
  await database?.drop();
});

describe('installSeedTemplates', () => {
  it('installs the catalogue once, by key, and audits it', async () => {
    expect(await installSeedTemplates(ctx, districtId)).toBe(SEED_TEMPLATES.length);
    expect(await installSeedTemplates(ctx, districtId)).toBe(0);
    expect(await templateCount()).toBe(SEED_TEMPLATES.length);
    const audits = await ctx.db
      .select()
      .from(schema.auditEvents)
      .where(eq(schema.auditEvents.action, 'template.seed'));
    expect(audits).toHaveLength(1);
  });
});

describe('saveTemplate refusals store nothing', () => {
  const cases: [string, unknown, string, Record<string, unknown>?][] = [
    [
      'a translation missing a slot',
      { ...valid, variants: { ...valid.variants, en: { subject: 'Drill', body: 'At {場所}.' } } },
      'templates.error.missingSlot',
      { slot: '日付', language: 'English' },
    ],
    [
      'a variant holding an undeclared slot',
      { ...valid, variants: { ja: { subject: '{日付}', body: '{場所} {天気}' } } },
      'templates.error.unknownSlot',
      { slot: '天気' },
    ],
    [
      'an unknown slot type',
      { ...valid, slots: { 日付: 'date', 場所: 'place' } },
      'templates.error.slotType',
    ],
    [
      'control characters',
      { ...valid, name: '避難\u0007訓練' },
      'templates.error.controlCharacters',
    ],
    ['too long a name', { ...valid, name: 'あ'.repeat(61) }, 'templates.error.tooLong'],
    [
      'no Japanese',
      { ...valid, variants: { en: valid.variants.en } },
      'templates.error.noJapanese',
    ],
    [
      'an unknown language',
      { ...valid, variants: { ...valid.variants, fr: valid.variants.en } },
      'templates.error.required',
    ],
    ['an unknown category', { ...valid, category: 'gossip' }, 'templates.error.required'],
  ];
  it.each(cases)('refuses %s', async (_name, input, key, params) => {
    const before = await templateCount();
    const error = await refusal(saveTemplate(ctx, staff(scopes.board), input));
    expect(error.key).toBe(key);
    expect(error.status).toBe(400);
    if (params) expect(error.params).toMatchObject(params);
    expect(await templateCount()).toBe(before);
  });

  it('saves a valid one, leaving out languages without text', async () => {
    const id = await saveTemplate(ctx, staff(scopes.board), {
      ...valid,
      variants: { ...valid.variants, ko: { subject: ' ', body: '' } },
    });
    const [row] = await ctx.db
      .select()
      .from(schema.messageTemplates)
      .where(eq(schema.messageTemplates.id, id));
    expect(row!.schoolId).toBeNull();
    expect(Object.keys(row!.variants).sort()).toEqual(['en', 'ja']);
  });
});

describe('scope', () => {
  let districtTemplate: number;
  let schoolATemplate: number;

  beforeAll(async () => {
    districtTemplate = await saveTemplate(ctx, staff(scopes.board), {
      ...valid,
      name: '市の定型文',
    });
    schoolATemplate = await saveTemplate(ctx, staff(scopes.adminA), {
      ...valid,
      name: 'A校の定型文',
    });
  });

  it('puts a school admin’s template in their school', async () => {
    const [row] = await ctx.db
      .select()
      .from(schema.messageTemplates)
      .where(eq(schema.messageTemplates.id, schoolATemplate));
    expect(row!.schoolId).toBe((scopes.adminA as { schoolId: number }).schoolId);
  });

  it('lists the district’s and the own school’s, never another school’s', async () => {
    const namesOf = async (scope: StaffScope) =>
      (await templatesFor(ctx, { scope })).map((template) => template.name);
    expect(await namesOf(scopes.adminB)).not.toContain('A校の定型文');
    expect(await namesOf(scopes.adminB)).toContain('市の定型文');
    expect(await namesOf(scopes.teacher)).toContain('A校の定型文');
    expect(await namesOf(scopes.board)).toEqual(
      expect.arrayContaining(['市の定型文', 'A校の定型文']),
    );
  });

  it('refuses a school admin editing or deleting the district’s or another school’s', async () => {
    const before = await templateCount();
    expect(
      (
        await refusal(
          saveTemplate(ctx, staff(scopes.adminA), { ...valid, name: '変更' }, districtTemplate),
        )
      ).status,
    ).toBe(403);
    expect(
      (await refusal(removeTemplate(ctx, staff(scopes.adminA), districtTemplate))).status,
    ).toBe(403);
    // Another school's template is as absent as none.
    expect(
      (
        await refusal(
          saveTemplate(ctx, staff(scopes.adminB), { ...valid, name: '変更' }, schoolATemplate),
        )
      ).status,
    ).toBe(404);
    expect((await refusal(removeTemplate(ctx, staff(scopes.adminB), schoolATemplate))).status).toBe(
      404,
    );
    // The board keeps the district's catalogue, not a school's own.
    expect((await refusal(removeTemplate(ctx, staff(scopes.board), schoolATemplate))).status).toBe(
      403,
    );
    expect((await refusal(saveTemplate(ctx, staff(scopes.teacher), valid))).status).toBe(403);
    expect(await templateCount()).toBe(before);
    const names = (await ctx.db.select().from(schema.messageTemplates)).map((row) => row.name);
    expect(names).not.toContain('変更');
  });

  it('lets each change its own, audited', async () => {
    await saveTemplate(
      ctx,
      staff(scopes.adminA, 7),
      { ...valid, name: 'A校の新しい名前' },
      schoolATemplate,
    );
    await removeTemplate(ctx, staff(scopes.board, 8), districtTemplate);
    const actions = (await ctx.db.select().from(schema.auditEvents)).map((row) => row.action);
    expect(actions).toEqual(
      expect.arrayContaining(['template.create', 'template.update', 'template.delete']),
    );
  });
});

describe('templateMessage', () => {
  let schoolTemplate: number;

  beforeAll(async () => {
    schoolTemplate = await saveTemplate(ctx, staff(scopes.board), {
      name: '学校名入り',
      category: 'emergency_info',
      slots: { 学校名: 'school', 日付: 'date' },
      variants: { ja: { subject: '{学校名}', body: '{学校名}は{日付}に' } },
    });
  });

  const subjectFor = async (scope: StaffScope, target: unknown) =>
    (await templateMessage(ctx.db, scope, {
      template: { id: schoolTemplate, slots: { 日付: '2026-12-03' } },
      target,
    }))!.subject;

  it('fills 学校名 with the sender’s school, the board’s one school, else the board', async () => {
    expect(await subjectFor(scopes.adminB, { kind: 'schools', schoolIds: [schoolIds.b] })).toBe(
      '湊第二小学校',
    );
    expect(
      await subjectFor(scopes.board, { kind: 'grades', schoolId: schoolIds.a, grades: [1] }),
    ).toBe('湊第一小学校');
    expect(await subjectFor(scopes.board, { kind: 'district' })).toBe('湊市教育委員会');
    expect(
      await subjectFor(scopes.board, { kind: 'schools', schoolIds: [schoolIds.a, schoolIds.b] }),
    ).toBe('湊市教育委員会');
  });

  it('takes the template’s category unless one is given, and is null for a free message', async () => {
    const filled = await templateMessage(ctx.db, scopes.board, {
      template: { id: schoolTemplate, slots: { 日付: '2026-12-03' } },
      target: { kind: 'district' },
    });
    expect(filled!.category).toBe('emergency_info');
    expect(filled!.template.variants.ja!.body).toBe('湊市教育委員会は12月3日（木）に');
    expect(await templateMessage(ctx.db, scopes.board, { subject: 'x', body: 'y' })).toBeNull();
  });

  it('refuses a malformed template block as an unknown template', async () => {
    for (const template of [{ id: 'x' }, { id: -1 }, 'weather', { id: 2 ** 40 }, { id: 999_999 }]) {
      const error = await refusal(templateMessage(ctx.db, scopes.board, { template }));
      expect(error.key).toBe('templates.error.notFound');
      expect(error.status).toBe(400);
    }
  });
});
