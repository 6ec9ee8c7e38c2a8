import { eq, inArray } from 'drizzle-orm';
import iconv from 'iconv-lite';
import { simpleParser } from 'mailparser';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { saveTemplate } from '@renraku/core/templates';
import { schema } from '@renraku/db';
import { CATEGORY_TAG, RESEND_TAG } from '@renraku/shared';
import { addFamilies, messageDone, startTestDispatcher, waitFor } from '../dispatch/fixtures';
import { startSink, type Sink } from '../dispatch/smtp-sink';
import { tokensOf } from '../confirmation/page-harness';
import {
  messageCount,
  postMessage,
  startSendWorld,
  tokenFor,
  type SendWorld,
} from '../send/harness';
import { CLOSURE } from './fixtures';

// A send from a template through the JSON API and real SMTP: bad slots are refused naming the
// slot and nothing is sent; a good one reaches an English-preferring parent in English with the
// Japanese original below, and a feature phone (docomo.ne.jp, ISO-2022-JP) whose parent reads
// Korean, which the charset cannot carry, in やさしい日本語 above the Japanese.

let world: SendWorld;
let sink: Sink;
let dispatcher: Awaited<ReturnType<typeof startTestDispatcher>>;
let token: string;
let closureId: number;
let otherSchoolTemplate: number;

const SLOTS = { 日付: '2026-12-03', 時刻: '06:30' };

const api = (body: unknown, key?: string) => postMessage(world.base, token, body, key);

const closure = (slots: Record<string, unknown>, extra: Record<string, unknown> = {}) => ({
  template: { id: closureId, slots },
  target: { kind: 'schools', schoolIds: [world.schools.b.id] },
  confirm: false,
  ...extra,
});

/** ISO-2022-JP's JIS X 0208 runs as EUC-JP bytes, which iconv-lite decodes. */
function decodeIso2022jp(bytes: Buffer): string {
  const out: number[] = [];
  let jis = false;
  for (let i = 0; i < bytes.length; i++) {
    if (bytes[i] === 0x1b) {
      jis = bytes[i + 1] === 0x24;
      i += 2;
      continue;
    }
    out.push(jis && bytes[i]! > 0x20 ? bytes[i]! | 0x80 : bytes[i]!);
  }
  return iconv.decode(Buffer.from(out), 'EUC-JP');
}

beforeAll(async () => {
  world = await startSendWorld();
  const { db, district, classes, staff } = world;
  // The test's own template, so that its texts do not depend on the seed catalogue's wording.
  closureId = await saveTemplate(
    { db },
    { id: staff.board.id, scope: { role: 'board', districtId: district.id } },
    CLOSURE,
  );
  otherSchoolTemplate = await saveTemplate(
    { db },
    {
      id: staff.adminA.id,
      scope: { role: 'school_admin', districtId: district.id, schoolId: world.schools.a.id },
    },
    {
      name: 'A校だけ',
      category: 'education_info',
      slots: {},
      variants: { ja: { subject: 'A校', body: 'A校のお知らせ' } },
    },
  );
  // School B: an English reader (ono@example.jp) and a Korean reader on a docomo phone.
  await addFamilies(db, [
    [{ klass: classes.b11, name: '朴 美羅', addresses: ['park@docomo.ne.jp'] }],
  ]);
  const registrations = await db.select().from(schema.registrations);
  const idOf = (name: string) => registrations.find((r) => r.childName === name)!.id;
  await db
    .update(schema.registrations)
    .set({ language: 'en' })
    .where(eq(schema.registrations.id, idOf('小野 四郎')));
  await db
    .update(schema.registrations)
    .set({ language: 'ko' })
    .where(eq(schema.registrations.id, idOf('朴 美羅')));
  token = await tokenFor(db, staff.adminB.id);
  sink = await startSink();
  dispatcher = await startTestDispatcher(db, sink.url);
});

afterAll(async () => {
  await dispatcher?.stop();
  await sink?.close();
  await world?.close();
});

describe('POST /api/v1/messages with a template', () => {
  const refusals: [string, unknown, string][] = [
    ['a missing slot', { 日付: '2026-12-03' }, 'template.slots.時刻'],
    ['a date that does not exist', { ...SLOTS, 日付: '2026-02-30' }, 'template.slots.日付'],
    ['a time out of range', { ...SLOTS, 時刻: '25:00' }, 'template.slots.時刻'],
    ['an unknown slot', { ...SLOTS, 天気: '雪' }, 'template.slots.天気'],
    [
      'the school slot, which is the server’s',
      { ...SLOTS, 学校名: '偽小学校' },
      'template.slots.学校名',
    ],
    ['a control character', { ...SLOTS, 日付: '2026-12-03\u0000' }, 'template.slots.日付'],
  ];
  it.each(refusals)(
    'refuses %s with 400 naming the slot, sending nothing',
    async (_n, slots, path) => {
      const before = await messageCount(world.db);
      const response = await api(closure(slots as Record<string, unknown>));
      expect(response.status).toBe(400);
      const body = (await response.json()) as {
        error: string;
        issues: { path: string }[];
        message: string;
      };
      expect(body.error).toBe('invalid_input');
      expect(body.issues.map((issue) => issue.path)).toEqual([path]);
      expect(body.message).toContain(path.split('.').pop()!);
      expect(await messageCount(world.db)).toBe(before);
    },
  );

  it('refuses a template of another school as unknown', async () => {
    const before = await messageCount(world.db);
    const other = await api({ ...closure({}), template: { id: otherSchoolTemplate, slots: {} } });
    expect(other.status).toBe(400);
    expect(((await other.json()) as { issues: { path: string }[] }).issues[0]!.path).toBe(
      'template.id',
    );
    expect(await messageCount(world.db)).toBe(before);
  });

  it('binds the idempotency key to the template and its slots', async () => {
    const key = 'template-key-0001';
    const first = await api(closure(SLOTS), key);
    expect(first.status).toBe(201);
    const again = await api(closure(SLOTS), key);
    expect(again.status).toBe(200);
    const otherDay = await api(closure({ ...SLOTS, 日付: '2026-12-04' }), key);
    expect(otherDay.status).toBe(422);
  });
});

describe('a template send through SMTP', () => {
  let raws: Map<string, string>;
  let messageId: number;

  beforeAll(async () => {
    const response = await api(closure(SLOTS, { category: 'emergency_contact' }));
    expect(response.status).toBe(201);
    messageId = ((await response.json()) as { id: number }).id;
    await waitFor(() => messageDone(world.db, messageId));
    const deliveries = await world.db
      .select()
      .from(schema.deliveries)
      .where(eq(schema.deliveries.messageId, messageId));
    const ids = new Set(deliveries.map((d) => `<renraku.${messageId}.${d.id}@renraku.test>`));
    raws = new Map(
      sink.mails.filter((mail) => ids.has(mail.messageId)).map((mail) => [mail.to, mail.raw]),
    );
  });

  it('stores the template, its slots and every filled variant', async () => {
    const [row] = await world.db
      .select()
      .from(schema.messages)
      .where(eq(schema.messages.id, messageId));
    expect(row!.templateId).toBe(closureId);
    expect(row!.templateSlots).toEqual({ ...SLOTS, 学校名: '湊第二小学校' });
    expect(row!.subject).toBe('湊第二小学校 12月3日（木）は臨時休業です');
    expect(row!.variants?.en?.body).toContain('Thursday, December 3, 2026');
    expect(row!.variants?.en?.body).toContain('6:30 AM');
  });

  it('reaches the English reader in English first, the Japanese original below', async () => {
    const mail = await simpleParser(raws.get('ono@example.jp')!);
    expect(mail.subject).toBe(
      `${CATEGORY_TAG.emergency_contact}湊第二小学校: School closed on Thursday, December 3, 2026`,
    );
    const text = mail.text!;
    const english = text.indexOf(
      'Because of the weather, 湊第二小学校 will be closed on Thursday, December 3, 2026.',
    );
    const japanese = text.indexOf(
      '気象状況により、湊第二小学校は12月3日（木）を臨時休業とします。',
    );
    expect(english).toBeGreaterThanOrEqual(0);
    expect(japanese).toBeGreaterThan(english);
    expect(text.slice(english, japanese)).toContain('日本語（原文）');
  });

  it('reaches the feature phone in ISO-2022-JP, readably: やさしい日本語 above the Japanese', async () => {
    const raw = raws.get('park@docomo.ne.jp')!;
    expect(raw).toMatch(/charset=ISO-2022-JP/i);
    expect([...Buffer.from(raw, 'latin1')].every((byte) => byte < 0x80)).toBe(true);
    const body = decodeIso2022jp(Buffer.from(raw.slice(raw.indexOf('\r\n\r\n') + 4), 'latin1'));
    const easy = body.indexOf('天気が わるいので、湊第二小学校は 12月3日（木）は 休みです。');
    const japanese = body.indexOf(
      '気象状況により、湊第二小学校は12月3日（木）を臨時休業とします。',
    );
    expect(easy).toBeGreaterThanOrEqual(0);
    expect(japanese).toBeGreaterThan(easy);
    expect(body).not.toContain('□');
    const mail = await simpleParser(raw);
    expect(mail.subject).toContain('12月3日（木）は 学校が 休みです');
  });

  it('keeps the sent text when the template changes later', async () => {
    const [kept] = await world.db
      .select()
      .from(schema.messageTemplates)
      .where(eq(schema.messageTemplates.id, closureId));
    await world.db
      .update(schema.messageTemplates)
      .set({ variants: { ja: { subject: '{学校名}', body: '{日付}{時刻}' } } })
      .where(eq(schema.messageTemplates.id, closureId));
    const [row] = await world.db
      .select()
      .from(schema.messages)
      .where(inArray(schema.messages.id, [messageId]));
    expect(row!.body).toContain('気象状況により');
    await world.db
      .update(schema.messageTemplates)
      .set({ variants: kept!.variants })
      .where(eq(schema.messageTemplates.id, closureId));
  });
});

describe('the confirmation page of a template message', () => {
  it('shows the English reader English first with the Japanese original below, in English words', async () => {
    const response = await api(closure(SLOTS, { confirm: { preset: 'ack' } }));
    if (response.status !== 201) throw new Error(await response.text());
    const { id } = (await response.json()) as { id: number };
    const tokenOf = await tokensOf(world.db, id);
    const read = async (address: string, init?: RequestInit) => {
      const page = await fetch(`${world.base}/c/${tokenOf(address)}`, init);
      expect(page.status).toBe(200);
      return page.text();
    };
    const english = await read('ono@example.jp');
    const first = english.indexOf(
      'Because of the weather, 湊第二小学校 will be closed on Thursday',
    );
    const original = english.indexOf('Japanese (original)');
    expect(first).toBeGreaterThan(0);
    expect(original).toBeGreaterThan(first);
    expect(
      english.indexOf('気象状況により、湊第二小学校は12月3日（木）を臨時休業とします。'),
    ).toBeGreaterThan(original);
    // After a tap the page stays in the reader's language.
    const tapped = await read('ono@example.jp', {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', origin: world.base },
      body: new URLSearchParams({ choice: '0', lang: 'en' }),
    });
    expect(tapped).toContain('Because of the weather');
    // The page is no feature phone's charset: the Korean reader reads Korean there.
    const korean = await read('park@docomo.ne.jp');
    expect(korean).toContain(
      '기상 상황으로 인해 湊第二小学校은(는) 2026년 12월 3일 목요일에 임시 휴교합니다.',
    );
    expect(korean).toContain('Japanese (original)');

    // The re-send to those who did not answer is tagged 【再送】 in every language it carries.
    await waitFor(() => messageDone(world.db, id));
    const resent = await fetch(`${world.base}/api/v1/messages/${id}/resend-unconfirmed`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: '{}',
    });
    expect(resent.status).toBe(200);
    expect(((await resent.json()) as { sent: number }).sent).toBeGreaterThan(0);
    const [again] = await world.db
      .select()
      .from(schema.messages)
      .where(eq(schema.messages.resendOf, id));
    expect(again!.subject.startsWith(RESEND_TAG)).toBe(true);
    for (const variant of Object.values(again!.variants ?? {})) {
      expect(variant.subject.startsWith(RESEND_TAG)).toBe(true);
    }
    expect(again!.variants?.en?.subject).toBe(
      `${RESEND_TAG}湊第二小学校: School closed on Thursday, December 3, 2026`,
    );
  });
});
