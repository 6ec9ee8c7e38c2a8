import { eq } from 'drizzle-orm';
import { stageAttachments } from '@renraku/core/attachments';
import { schema, type Db } from '@renraku/db';
import { createTestDatabase, type TestDatabase } from '@renraku/db/testing';
import { ATTACHMENT_MAX_BYTES_DEFAULT } from '@renraku/shared';
import { attachmentToken } from '@renraku/shared/attachment-token';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { keys, TEST_SECRET_KEY } from '../dispatch/fixtures';
import { INBOX_PASSWORD, inboxWorld } from '../parents/inbox-world';
import { postForm } from '../send/harness';
import { pdfBytes, photoWithGps } from '../support/files';
import { startTestWeb, type RunningWeb } from '../support/web';

// The parent's inbox lists a message's attachments: a plain link for each, and for a photo its
// preview as a link with its size given and loaded lazily, so a feature phone's page stays light.

let database: TestDatabase;
let db: Db;
let web: RunningWeb;
let base: string;
let world: Awaited<ReturnType<typeof inboxWorld>>;
let ids: number[];

beforeAll(async () => {
  database = await createTestDatabase();
  db = database.handle.db;
  world = await inboxWorld(db);
  const staff = {
    id: world.board.id,
    scope: { role: 'board' as const, districtId: world.district.id },
    apiTokenId: null,
  };
  const stored = await stageAttachments(
    { db },
    staff,
    {
      keep: [],
      files: [
        { name: 'お知らせ.pdf', bytes: pdfBytes() },
        { name: '会場.jpg', bytes: await photoWithGps() },
      ],
    },
    ATTACHMENT_MAX_BYTES_DEFAULT,
    'api',
  );
  ids = stored.map((file) => file.id);
  await db
    .update(schema.attachments)
    .set({ messageId: world.messages.news })
    .where(eq(schema.attachments.uploaderId, world.board.id));
  ({ web, base } = await startTestWeb(database, { env: { SECRET_KEY: TEST_SECRET_KEY } }));
});

afterAll(async () => {
  await web?.close();
  await database?.drop();
});

it("lists the message's attachments with their links and a photo's lazy preview", async () => {
  const login = await postForm(base, '/account/login?/login', {
    loginId: world.logins.ichiro,
    password: INBOX_PASSWORD,
  });
  const cookie = login.headers
    .getSetCookie()
    .find((c) => c.startsWith('renraku_parent='))!
    .split(';')[0]!;
  const html = await (await fetch(`${base}/account/inbox`, { headers: { cookie } })).text();
  const [pdf, photo] = ids.map((id) => `/a/${attachmentToken(keys, id)}`);
  expect(html).toMatch(new RegExp(`<a href="${pdf}"[^>]*>お知らせ\\.pdf</a>\\s*（PDF, 1 KB）`));
  expect(html).toMatch(
    new RegExp(
      `<a href="${photo}"[^>]*><img src="${photo}/preview" width="160" height="320" loading="lazy" alt="会場.jpg"`,
    ),
  );
  // Only the message they belong to lists them.
  expect(html.split(pdf!).length - 1).toBe(1);
  const preview = await fetch(`${base}${photo}/preview`);
  expect(preview.status).toBe(200);
  expect(preview.headers.get('content-type')).toBe('image/jpeg');
});
