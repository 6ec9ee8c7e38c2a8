import { count, eq } from 'drizzle-orm';
import { simpleParser } from 'mailparser';
import sharp from 'sharp';
import { schema } from '@renraku/db';
import { attachmentToken } from '@renraku/shared/attachment-token';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { keys, messageDone, startTestDispatcher, waitFor } from '../dispatch/fixtures';
import { startSink, type Sink } from '../dispatch/smtp-sink';
import { logIn, messageCount, startSendWorld, tokenFor, type SendWorld } from '../send/harness';
import {
  GPS_DESCRIPTION,
  jpegZipPolyglot,
  pdfBytes,
  pdfHtmlPolyglot,
  photoWithGps,
  pngBytes,
} from '../support/files';

// Attachments end to end on the real PostgreSQL and through real SMTP: uploads by the API and
// by the compose form without JavaScript, every refusal storing nothing, the send binding only
// the sender's own unsent uploads, the mail's link serving the exact file (a photo without its
// metadata), forged links 404, and staff opening them from the message's page in scope only.

/** Small, so that "too large" needs no 10 MB body. */
const MAX_BYTES = 200_000;

let world: SendWorld;
let sink: Sink;
let dispatcher: Awaited<ReturnType<typeof startTestDispatcher>>;
const tokens = { board: '', adminA: '', adminB: '' };

beforeAll(async () => {
  world = await startSendWorld({ env: { ATTACHMENT_MAX_BYTES: String(MAX_BYTES) } });
  sink = await startSink();
  dispatcher = await startTestDispatcher(world.db, sink.url);
  tokens.board = await tokenFor(world.db, world.staff.board.id);
  tokens.adminA = await tokenFor(world.db, world.staff.adminA.id);
  tokens.adminB = await tokenFor(world.db, world.staff.adminB.id);
});

afterAll(async () => {
  await dispatcher?.stop();
  await sink?.close();
  await world?.close();
});

async function attachmentCount(): Promise<number> {
  const [row] = await world.db.select({ n: count() }).from(schema.attachments);
  return row!.n;
}

/** The message an upload is bound to; null while unsent. */
async function messageOf(attachmentId: number): Promise<number | null> {
  const [row] = await world.db
    .select({ messageId: schema.attachments.messageId })
    .from(schema.attachments)
    .where(eq(schema.attachments.id, attachmentId));
  return row!.messageId;
}

function upload(token: string, bytes: Uint8Array, name: string, type = 'application/octet-stream') {
  return fetch(`${world.base}/api/v1/attachments`, {
    method: 'POST',
    headers: {
      authorization: `Bearer ${token}`,
      'content-type': type,
      'x-file-name': encodeURIComponent(name),
    },
    body: bytes,
  });
}

async function uploadedId(token: string, bytes: Uint8Array, name: string): Promise<number> {
  const response = await upload(token, bytes, name);
  expect(response.status).toBe(201);
  return ((await response.json()) as { id: number }).id;
}

function send(token: string, extra: Record<string, unknown>) {
  return fetch(`${world.base}/api/v1/messages`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: JSON.stringify({
      category: 'education_info',
      subject: '学年だより',
      body: '今月の学年だよりをお送りします。',
      target: { kind: 'classes', classIds: [world.classes.a11.id] },
      ...extra,
    }),
  });
}

/** The sink's mails of a message, parsed. */
async function mailsOf(messageId: number) {
  await waitFor(() => messageDone(world.db, messageId));
  const raw = sink.mails.filter((mail) => mail.messageId.includes(`renraku.${messageId}.`));
  return Promise.all(raw.map((mail) => simpleParser(mail.raw)));
}

/** The /a/ links of a mail's text, as paths on the test web. */
const linksOf = (text: string) =>
  [...text.matchAll(/^https:\/\/renraku\.example\.jp(\/a\/[A-Za-z0-9_-]+)$/gm)].map((m) => m[1]!);

describe('POST /api/v1/attachments and the send', () => {
  it('mails a link per file that serves the exact PDF, safely, and counts the download', async () => {
    const pdf = pdfBytes();
    const id = await uploadedId(tokens.adminA, pdf, 'C:\\学校\\学年だより12月.pdf');
    const sent = await send(tokens.adminA, { attachments: [id] });
    expect(sent.status).toBe(201);
    const messageId = ((await sent.json()) as { id: number }).id;
    const mails = await mailsOf(messageId);
    // a11: three addresses, one body for all of them.
    expect(mails).toHaveLength(3);
    expect(new Set(mails.map((mail) => mail.text)).size).toBe(1);
    const text = mails[0]!.text!;
    expect(text).toContain('添付: 学年だより12月.pdf（PDF, 1 KB）');
    expect(mails[0]!.attachments).toEqual([]);
    const [link] = linksOf(text);
    expect(link).toBe(`/a/${attachmentToken(keys, id)}`);

    // A link preview's HEAD is no download.
    const head = await fetch(`${world.base}${link}`, { method: 'HEAD' });
    expect(head.status).toBe(200);
    expect(head.headers.get('content-type')).toBe('application/pdf');
    const file = await fetch(`${world.base}${link}`);
    expect(file.status).toBe(200);
    expect(Buffer.from(await file.arrayBuffer()).equals(pdf)).toBe(true);
    expect(file.headers.get('content-type')).toBe('application/pdf');
    expect(file.headers.get('x-content-type-options')).toBe('nosniff');
    expect(file.headers.get('content-security-policy')).toBe('sandbox');
    expect(file.headers.get('content-disposition')).toBe(
      `inline; filename*=UTF-8''${encodeURIComponent('学年だより12月.pdf')}`,
    );
    expect(file.headers.get('cache-control')).toMatch(/^private/);
    const [row] = await world.db
      .select()
      .from(schema.attachments)
      .where(eq(schema.attachments.id, id));
    expect(row).toMatchObject({ messageId, downloads: 1, schoolId: world.schools.a.id });

    // The audit names the upload and the send's attachments.
    const audits = await world.db.select().from(schema.auditEvents);
    expect(
      audits.find((a) => a.action === 'attachment.upload' && a.subjectId === String(id)),
    ).toBeDefined();
    expect(
      audits.find((a) => a.action === 'message.send' && a.subjectId === String(messageId))?.detail,
    ).toMatchObject({ attachmentIds: [id] });

    // The dashboard lists it with its size and downloads, and staff open it in scope only.
    const cookie = await logIn(world.base, world.staff.adminA.login);
    const dashboard = await (
      await fetch(`${world.base}/staff/messages/${messageId}`, { headers: { cookie } })
    ).text();
    expect(dashboard).toContain('学年だより12月.pdf');
    expect(dashboard).toMatch(/data-testid="attachment-downloads"[^>]*>1回表示</);
    const staffPath = `/staff/messages/${messageId}/attachments/${id}`;
    const opened = await fetch(`${world.base}${staffPath}`, { headers: { cookie } });
    expect(Buffer.from(await opened.arrayBuffer()).equals(pdf)).toBe(true);
    const other = await logIn(world.base, world.staff.adminB.login);
    expect((await fetch(`${world.base}${staffPath}`, { headers: { cookie: other } })).status).toBe(
      404,
    );
    // Staff opening it is no family's download.
    const [after] = await world.db
      .select({ downloads: schema.attachments.downloads })
      .from(schema.attachments)
      .where(eq(schema.attachments.id, id));
    expect(after!.downloads).toBe(1);
  });

  it('serves a photo without any EXIF or GPS, upright, with a small preview', async () => {
    const photo = await photoWithGps();
    expect((await sharp(photo).metadata()).exif).toBeDefined();
    expect(photo.includes('GPS')).toBe(true);
    // Multipart this time, the name from the part.
    const form = new FormData();
    form.append('file', new Blob([photo], { type: 'application/pdf' }), 'IMG_0042.JPG');
    const response = await fetch(`${world.base}/api/v1/attachments`, {
      method: 'POST',
      headers: { authorization: `Bearer ${tokens.board}` },
      body: form,
    });
    expect(response.status).toBe(201);
    const { id } = (await response.json()) as { id: number };
    const sent = await send(tokens.board, {
      category: 'emergency_contact',
      target: { kind: 'district' },
      attachments: [id],
    });
    expect(sent.status).toBe(201);
    const messageId = ((await sent.json()) as { id: number }).id;
    const [mail] = await mailsOf(messageId);
    expect(mail!.text).toMatch(/添付: IMG_0042\.JPG（JPEG, \d+ KB）/);
    const [link] = linksOf(mail!.text!);

    const served = Buffer.from(await (await fetch(`${world.base}${link}`)).arrayBuffer());
    const metadata = await sharp(served).metadata();
    expect(metadata.format).toBe('jpeg');
    expect(metadata.exif).toBeUndefined();
    expect(served.includes('GPS')).toBe(false);
    expect(served.includes(GPS_DESCRIPTION)).toBe(false);
    // Orientation 6 applied before the EXIF went: the 400×200 sensor image stands 200×400.
    expect([metadata.width, metadata.height]).toEqual([200, 400]);

    const preview = await fetch(`${world.base}${link}/preview`);
    expect(preview.headers.get('content-type')).toBe('image/jpeg');
    const small = await sharp(Buffer.from(await preview.arrayBuffer())).metadata();
    expect([small.width, small.height]).toEqual([160, 320]);

    // The confirmation page lists it: a link, and the preview with its size, loaded lazily.
    const confirmLink = /https:\/\/renraku\.example\.jp(\/c\/[A-Za-z0-9_-]+)/.exec(mail!.text!);
    const page = await (await fetch(`${world.base}${confirmLink![1]}`)).text();
    expect(page).toContain(`href="${link}"`);
    expect(page).toMatch(
      new RegExp(`<img src="${link}/preview" width="160" height="320" loading="lazy"`),
    );
  });

  it('answers 404 for a forged, altered or unsent attachment link', async () => {
    const unsent = await uploadedId(tokens.adminA, pdfBytes(), 'draft.pdf');
    const real = attachmentToken(keys, unsent);
    const forged = [
      real,
      `${real.slice(0, -1)}${real.endsWith('A') ? 'B' : 'A'}`,
      'AAAAAAAAAAAAAAAAAAAA',
      attachmentToken(keys, 99_999_999),
    ];
    for (const token of forged) {
      expect((await fetch(`${world.base}/a/${token}`)).status).toBe(404);
      expect((await fetch(`${world.base}/a/${token}/preview`)).status).toBe(404);
    }
  });

  it.each([
    ['a GIF', () => Buffer.from('GIF89a\x01\x00\x01\x00\x00\x00\x00;', 'latin1'), 'a.gif', 'type'],
    [
      'an HTML page named .pdf',
      () => Buffer.from('<html><script>x</script></html>'),
      'a.pdf',
      'type',
    ],
    ['a PDF not at byte 0', () => Buffer.concat([Buffer.from(' '), pdfBytes()]), 'a.pdf', 'type'],
    [
      'a JPEG start that is no image',
      () => Buffer.from([0xff, 0xd8, 0xff, 0, 1, 2]),
      'a.jpg',
      'type',
    ],
    ['a zero-byte file', () => Buffer.alloc(0), 'empty.pdf', 'empty'],
    [
      'a file above the limit',
      () => Buffer.concat([pdfBytes(), Buffer.alloc(MAX_BYTES)]),
      'big.pdf',
      'tooLarge',
    ],
    ['a JPEG with a ZIP behind it', jpegZipPolyglot, 'photo.jpg', 'polyglot'],
    ['a PDF that is also a page', pdfHtmlPolyglot, 'letter.pdf', 'polyglot'],
  ] as const)('refuses %s with 400, storing nothing', async (_what, make, name, problem) => {
    const before = await attachmentCount();
    const response = await upload(tokens.adminA, await make(), name);
    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({
      error: 'invalid_attachment',
      key: `attachments.error.${problem}`,
    });
    expect(await attachmentCount()).toBe(before);
  });

  it('refuses a file name header that is not percent-encoded UTF-8', async () => {
    const before = await attachmentCount();
    const response = await fetch(`${world.base}/api/v1/attachments`, {
      method: 'POST',
      headers: { authorization: `Bearer ${tokens.adminA}`, 'x-file-name': '%E5%AD' },
      body: pdfBytes(),
    });
    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({ error: 'invalid_input' });
    expect(await attachmentCount()).toBe(before);
  });

  it('refuses a multipart body without exactly one file', async () => {
    const before = await attachmentCount();
    const form = new FormData();
    form.append('file', new Blob([pdfBytes()]), 'a.pdf');
    form.append('file', new Blob([pdfBytes()]), 'b.pdf');
    const two = await fetch(`${world.base}/api/v1/attachments`, {
      method: 'POST',
      headers: { authorization: `Bearer ${tokens.adminA}` },
      body: form,
    });
    expect(two.status).toBe(400);
    const none = await fetch(`${world.base}/api/v1/attachments`, {
      method: 'POST',
      headers: { authorization: `Bearer ${tokens.adminA}` },
      body: new FormData(),
    });
    expect(none.status).toBe(400);
    expect(await attachmentCount()).toBe(before);
  });

  it("refuses another staff member's upload, a sent one and malformed ids, sending nothing", async () => {
    const boards = await uploadedId(tokens.board, pdfBytes(), 'board.pdf');
    const own = await uploadedId(tokens.adminA, pdfBytes(), 'own.pdf');
    const first = await send(tokens.adminA, { attachments: [own] });
    expect(first.status).toBe(201);
    const before = await messageCount(world.db);
    const cases: [unknown, string][] = [
      [[boards], 'attachments.error.unknown'],
      [[own], 'attachments.error.unknown'],
      [[999_999_999], 'attachments.error.unknown'],
      ['1', 'attachments.error.ids'],
      [[1.5], 'attachments.error.ids'],
      [[1, 2, 3, 4, 5, 6], 'attachments.error.tooMany'],
    ];
    for (const [attachments, key] of cases) {
      const refused = await send(tokens.adminA, { attachments });
      expect(refused.status, JSON.stringify(attachments)).toBe(400);
      expect(await refused.json()).toMatchObject({ key });
    }
    expect(await messageCount(world.db)).toBe(before);
    // The board's upload is still its own, unsent.
    expect(await messageOf(boards)).toBeNull();
  });
});

describe('the compose form (no JavaScript)', () => {
  const fields = (extra: Record<string, string> = {}) => {
    const form = new FormData();
    const values: Record<string, string> = {
      idempotencyKey: `form-${Math.random().toString(36).slice(2, 12)}`,
      category: 'education_info',
      subject: '遠足のお知らせ',
      body: '持ち物は添付の通りです。',
      targetKind: 'classes',
      classIds: String(world.classes.a11.id),
      when: 'now',
      ...extra,
    };
    for (const [name, value] of Object.entries(values)) form.append(name, value);
    return form;
  };
  const post = (path: string, form: FormData, cookie: string) =>
    fetch(`${world.base}/staff/messages/new?/${path}`, {
      method: 'POST',
      redirect: 'manual',
      headers: { cookie, origin: world.base, accept: 'text/html' },
      body: form,
    });

  it('stores the chosen files at the preview, lists them, and binds them at the send', async () => {
    const cookie = await logIn(world.base, world.staff.adminA.login);
    const form = fields();
    form.append('files', new Blob([pdfBytes()]), '持ち物.pdf');
    form.append('files', new Blob([await pngBytes()]), 'map.png');
    const preview = await post('preview', form, cookie);
    expect(preview.status).toBe(200);
    const html = await preview.text();
    expect(html).toMatch(
      /data-testid="confirm-attachments"[^]*持ち物\.pdf（PDF, 1 KB）[^]*map\.png/,
    );
    const ids = [...html.matchAll(/name="attachmentIds" value="(\d+)"/g)].map((m) => m[1]!);
    expect(ids).toHaveLength(2);
    const confirm = fields();
    for (const id of ids) confirm.append('attachmentIds', id);
    const sent = await post('send', confirm, cookie);
    expect(sent.status).toBe(303);
    const messageId = Number(sent.headers.get('location')!.split('/').pop());
    const bound = await world.db
      .select({ id: schema.attachments.id })
      .from(schema.attachments)
      .where(eq(schema.attachments.messageId, messageId));
    expect(bound.map((row) => String(row.id)).sort()).toEqual([...ids].sort());
  });

  it("refuses another staff member's upload named in the form, binding nothing", async () => {
    const boards = await uploadedId(tokens.board, pdfBytes(), 'board-only.pdf');
    const cookie = await logIn(world.base, world.staff.adminA.login);
    const before = await messageCount(world.db);
    for (const step of ['preview', 'send']) {
      const form = fields();
      form.append('attachmentIds', String(boards));
      const response = await post(step, form, cookie);
      expect(response.status, step).toBe(400);
      expect(await response.text()).toContain('添付ファイルが見つかりません');
    }
    expect(await messageCount(world.db)).toBe(before);
    expect(await messageOf(boards)).toBeNull();
  });

  it.each([
    ['more than five files', 6, '添付ファイルは5つまでです。'],
    ['a file of the wrong type', 1, 'PDF・JPEG・PNG'],
  ])('refuses %s with 400, storing nothing', async (_what, n, words) => {
    const cookie = await logIn(world.base, world.staff.adminA.login);
    const before = await attachmentCount();
    const form = fields();
    for (let i = 0; i < n; i++) {
      const bytes = n === 1 ? Buffer.from('plain text, not a letter') : pdfBytes();
      form.append('files', new Blob([bytes]), `file-${i}.pdf`);
    }
    const response = await post('preview', form, cookie);
    expect(response.status).toBe(400);
    expect(await response.text()).toContain(words);
    expect(await attachmentCount()).toBe(before);
  });
});
