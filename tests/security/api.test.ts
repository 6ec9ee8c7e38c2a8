import { eq } from 'drizzle-orm';
import { schema } from '@renraku/db';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { messageCount, startSendWorld, tokenFor, type SendWorld } from '../send/harness';

// Issue 12's probes of POST /api/v1/messages: a reused Idempotency-Key (item 21), non-JSON
// bodies (item 23), and bidi overrides, broken surrogates and invalid UTF-8 (item 24).

let world: SendWorld;
let token: string;

beforeAll(async () => {
  world = await startSendWorld();
  token = await tokenFor(world.db, world.staff.board.id);
});

afterAll(async () => {
  await world?.close();
});

const message = (extra: Record<string, unknown> = {}) => ({
  category: 'emergency_contact',
  subject: '臨時休校のお知らせ',
  body: '本日は台風のため臨時休校とします。',
  target: { kind: 'district' },
  ...extra,
});

function post(body: string | Uint8Array, headers: Record<string, string> = {}): Promise<Response> {
  return fetch(`${world.base}/api/v1/messages`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', ...headers },
    body,
  });
}

async function subjects(): Promise<string[]> {
  const rows = await world.db.select({ subject: schema.messages.subject }).from(schema.messages);
  return rows.map((row) => row.subject);
}

describe('a reused Idempotency-Key (item 21)', () => {
  it('answers 200 with the first id only for the same body', async () => {
    const key = { 'idempotency-key': 'reuse-probe-0001' };
    const first = await post(JSON.stringify(message()), key);
    expect(first.status).toBe(201);
    const { id } = (await first.json()) as { id: number };
    // The same request, its keys in another order: the same body.
    const { target, ...rest } = message();
    const again = await post(JSON.stringify({ target, ...rest }), key);
    expect(again.status).toBe(200);
    expect(await again.json()).toEqual({ id });
  });

  it('answers 422 idempotency_key_reused when the body differs, and sends nothing', async () => {
    const key = { 'idempotency-key': 'reuse-probe-0002' };
    expect((await post(JSON.stringify(message()), key)).status).toBe(201);
    const before = await messageCount(world.db);
    for (const changed of [
      message({ subject: '訂正：臨時休校のお知らせ' }),
      message({ body: '本日は通常どおり登校します。' }),
      message({ category: 'education_info' }),
      message({ target: { kind: 'schools', schoolIds: [world.schools.a.id] } }),
      message({ scheduledAt: new Date(Date.now() + 3_600_000).toISOString() }),
    ]) {
      const response = await post(JSON.stringify(changed), key);
      expect(response.status, JSON.stringify(changed)).toBe(422);
      expect(await response.json()).toMatchObject({ error: 'idempotency_key_reused' });
    }
    // The key in the body counts the same way.
    const inBody = await post(
      JSON.stringify(message({ idempotencyKey: 'reuse-probe-0002', subject: '別件' })),
    );
    expect(inBody.status).toBe(422);
    expect(await messageCount(world.db)).toBe(before);
    expect(await subjects()).not.toContain('訂正：臨時休校のお知らせ');
  });

  it('stores a hash of the request with the key, never a second copy of the body', async () => {
    await post(JSON.stringify(message()), { 'idempotency-key': 'reuse-probe-0003' });
    const [row] = await world.db
      .select()
      .from(schema.messages)
      .where(eq(schema.messages.idempotencyKey, 'reuse-probe-0003'));
    expect(row!.requestHash).toMatch(/^[0-9a-f]{64}$/);
  });
});

describe('bidi overrides and broken encoding in the API (item 24)', () => {
  it('refuses bidi overrides in the subject or body with 400, storing nothing', async () => {
    const before = await messageCount(world.db);
    for (const mark of ['\u202e', '\u202a', '\u2066', '\u2069']) {
      for (const field of ['subject', 'body']) {
        const response = await post(JSON.stringify(message({ [field]: `休校${mark}のお知らせ` })));
        expect(response.status, `${field} U+${mark.charCodeAt(0).toString(16)}`).toBe(400);
        expect(await response.json()).toMatchObject({
          error: 'invalid_input',
          issues: [expect.objectContaining({ path: field })],
        });
      }
    }
    expect(await messageCount(world.db)).toBe(before);
  });

  it('refuses a body that is not UTF-8 with 400 and never stores U+FFFD', async () => {
    const before = await messageCount(world.db);
    const json = JSON.stringify(message({ subject: '休校XX' }));
    const [head, tail] = json.split('XX') as [string, string];
    for (const broken of [[0xff], [0xe3, 0x81], [0xc0, 0xaf], [0xed, 0xa0, 0x80]]) {
      const bytes = Buffer.concat([Buffer.from(head), Buffer.from(broken), Buffer.from(tail)]);
      const response = await post(bytes);
      expect(response.status, String(broken)).toBe(400);
      expect(await response.json()).toMatchObject({ error: 'invalid_encoding' });
    }
    // A lone surrogate escaped in the JSON, and a U+FFFD sent as such.
    for (const subject of ['\\ud800休校', '休校\\udc00', '休校\\ufffd']) {
      const response = await post(json.replace('休校XX', subject));
      expect(response.status, subject).toBe(400);
    }
    expect(await messageCount(world.db)).toBe(before);
    expect((await subjects()).some((subject) => subject.includes('\ufffd'))).toBe(false);
  });
});
