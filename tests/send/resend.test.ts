import { eq } from 'drizzle-orm';
import { recordConfirmations, schema } from '@renraku/db';
import { confirmRequestOf } from '@renraku/shared';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sessionCookie } from '../live/harness';
import { sendMessage } from '../dispatch/fixtures';
import { postForm, startSendWorld, tokenFor, type SendWorld } from './harness';

// 「未確認の家庭に再送」 through POST /api/v1/messages/:id/resend-unconfirmed and the message
// page's two-step ?/resend (a form post without JavaScript): scoped to the caller's households,
// idempotent within a minute, an empty body only, and nothing changed by a refusal.

let world: SendWorld;
type Who = 'board' | 'adminA' | 'adminB' | 'teacherA11' | 'otherBoard';
const tokens = {} as Record<Who, string>;
const cookies = {} as Record<Who, string>;

beforeAll(async () => {
  world = await startSendWorld();
  for (const [who, row] of Object.entries(world.staff) as [Who, { id: number }][]) {
    tokens[who] = await tokenFor(world.db, row.id);
    cookies[who] = await sessionCookie(world.db, row.id);
  }
});

afterAll(async () => {
  await world?.close();
});

/** A confirming emergency contact of school A, sent at once by its admin. */
async function confirmingSend(): Promise<number> {
  const { id } = await sendMessage(world.db, {
    districtId: world.district.id,
    schoolId: world.schools.a.id,
    authorId: world.staff.adminA.id,
    target: { kind: 'schools', schoolIds: [world.schools.a.id] },
    confirm: confirmRequestOf('emergency_contact', undefined),
  });
  // No dispatcher runs here: the relay took every first mail, so the families can be chased.
  await world.db
    .update(schema.deliveries)
    .set({ state: 'accepted' })
    .where(eq(schema.deliveries.messageId, id));
  return id;
}

function resendApi(
  who: Who,
  id: number | string,
  body?: string,
  type = 'application/json',
): Promise<Response> {
  return fetch(`${world.base}/api/v1/messages/${id}/resend-unconfirmed`, {
    method: 'POST',
    headers: {
      authorization: `Bearer ${tokens[who]}`,
      ...(body === undefined ? {} : { 'content-type': type }),
    },
    body,
  });
}

async function resendsOf(id: number) {
  return world.db.select().from(schema.messages).where(eq(schema.messages.resendOf, id));
}

describe('POST /api/v1/messages/:id/resend-unconfirmed', () => {
  let id: number;
  beforeAll(async () => {
    id = await confirmingSend();
  });

  it.each([
    ['an object with a field', '{"households":[1]}', 'application/json', 400, 'invalid_input'],
    ['an array', '[]', 'application/json', 400, 'invalid_input'],
    ['null', 'null', 'application/json', 400, 'invalid_input'],
    ['not JSON', '{', 'application/json', 400, 'malformed_json'],
    ['a form', 'confirm=yes', 'application/x-www-form-urlencoded', 415, 'unsupported_media_type'],
    [
      'too much',
      JSON.stringify({ pad: 'x'.repeat(5000) }),
      'application/json',
      413,
      'payload_too_large',
    ],
  ])('refuses %s and sends nothing', async (_name, body, type, status, error) => {
    const response = await resendApi('board', id, body, type);
    expect(response.status).toBe(status);
    expect(await response.json()).toMatchObject({ error });
    expect(await resendsOf(id)).toHaveLength(0);
  });

  it('answers 404 for a message outside the scope, and for none', async () => {
    for (const who of ['adminB', 'otherBoard'] as const) {
      const response = await resendApi(who, id, '{}');
      expect(response.status).toBe(404);
      expect(await response.json()).toMatchObject({ error: 'not_found' });
    }
    expect((await resendApi('board', 'abc', '{}')).status).toBe(404);
    expect((await resendApi('board', 999_999, '{}')).status).toBe(404);
    expect(await resendsOf(id)).toHaveLength(0);
  });

  it('answers 409 for a message that asks no confirmation', async () => {
    const { id: plain } = await sendMessage(world.db, {
      districtId: world.district.id,
      authorId: world.staff.board.id,
      target: { kind: 'district' },
      confirm: null,
    });
    const response = await resendApi('board', plain, '{}');
    expect(response.status).toBe(409);
    expect(await response.json()).toMatchObject({ error: 'conflict' });
  });

  it('re-sends a teacher’s class, then nothing for a repeat within a minute', async () => {
    const first = await resendApi('teacherA11', id, '{}');
    expect(first.status).toBe(200);
    // 青木 (two addresses) and 井上 in 1年1組; 上田 has no address.
    expect(await first.json()).toEqual({ sent: 3 });
    const again = await resendApi('board', id);
    expect(again.status).toBe(200);
    expect(await again.json()).toEqual({ sent: 0 });
    expect(await resendsOf(id)).toHaveLength(1);
    const [audit] = await world.db
      .select()
      .from(schema.auditEvents)
      .where(eq(schema.auditEvents.action, 'message.resend_unconfirmed'));
    expect(audit).toMatchObject({ actorId: world.staff.teacherA11.id, subjectId: String(id) });
    expect(audit!.detail).toMatchObject({ channel: 'api', sent: 3 });
  });

  it('counts the answers to a re-send on the message it chases, and shows them on both', async () => {
    const [resend] = await resendsOf(id);
    await world.db
      .update(schema.deliveries)
      .set({ state: 'accepted' })
      .where(eq(schema.deliveries.messageId, resend!.id));
    const [delivery] = await world.db
      .select()
      .from(schema.deliveries)
      .where(eq(schema.deliveries.messageId, resend!.id))
      .limit(1);
    const [outcome] = await recordConfirmations(world.db, [
      { deliveryId: delivery!.id, choice: 0, channel: 'link', replyWords: null },
    ]);
    expect(outcome).toMatchObject({ kind: 'recorded', messageId: id, households: 1 });
    const progressOf = async (messageId: number) =>
      (await (
        await fetch(`${world.base}/api/v1/messages/${messageId}/progress`, {
          headers: { authorization: `Bearer ${tokens.board}` },
        })
      ).json()) as { confirmed: number; unconfirmed: number };
    // The re-send went to two households (青木, 井上): one answered, one has not yet.
    expect(await progressOf(resend!.id)).toMatchObject({ confirmed: 1, unconfirmed: 1 });
    expect((await progressOf(id)).confirmed).toBe(1);
  });
});

describe('the message page’s 「未確認の家庭に再送」', () => {
  let id: number;
  beforeAll(async () => {
    id = await confirmingSend();
  });

  const resendForm = (fields: Record<string, string>) =>
    postForm(world.base, `/staff/messages/${id}?/resend`, fields, cookies.board);

  it('offers it on a confirming message only', async () => {
    const page = await fetch(`${world.base}/staff/messages/${id}`, {
      headers: { cookie: cookies.board },
    });
    const html = await page.text();
    expect(html).toContain('action="?/resend"');
    expect(html).toContain('未確認の家庭に再送');
    const { id: plain } = await sendMessage(world.db, {
      districtId: world.district.id,
      authorId: world.staff.board.id,
      target: { kind: 'district' },
      confirm: null,
    });
    const other = await fetch(`${world.base}/staff/messages/${plain}`, {
      headers: { cookie: cookies.board },
    });
    expect(await other.text()).not.toContain('action="?/resend"');
  });

  it('asks first, and re-sends only once confirmed', async () => {
    const asked = await resendForm({});
    expect(asked.status).toBe(200);
    const askedHtml = await asked.text();
    expect(askedHtml).toContain('未確認の家庭に再送します。よろしいですか。');
    expect(askedHtml).toContain('name="confirm" value="yes"');
    expect(await resendsOf(id)).toHaveLength(0);

    const done = await resendForm({ confirm: 'yes' });
    expect(done.status).toBe(200);
    // Every household of school A with an address: 青木 (2), 井上, 江藤 (one shared address).
    expect(await done.text()).toContain('4件のメールを再送しました。');
    expect(await resendsOf(id)).toHaveLength(1);

    const repeat = await resendForm({ confirm: 'yes' });
    expect(await repeat.text()).toContain('再送するメールはありません');
    expect(await resendsOf(id)).toHaveLength(1);
  });

  it('refuses another school’s admin as if the message did not exist', async () => {
    const response = await postForm(
      world.base,
      `/staff/messages/${id}?/resend`,
      { confirm: 'yes' },
      cookies.adminB,
    );
    expect(response.status).toBe(404);
    expect(await resendsOf(id)).toHaveLength(1);
  });
});

describe('a send still on its way', () => {
  it('does not chase a family whose first mail is still on its way', async () => {
    const { id: sending } = await sendMessage(world.db, {
      districtId: world.district.id,
      schoolId: world.schools.a.id,
      authorId: world.staff.adminA.id,
      target: { kind: 'schools', schoolIds: [world.schools.a.id] },
      confirm: confirmRequestOf('emergency_contact', undefined),
    });
    const response = await resendApi('board', sending, '{}');
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ sent: 0 });
    expect(await resendsOf(sending)).toHaveLength(0);
  });
});
