import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  BROADCASTS,
  KEEP,
  LONG_ADDRESS,
  REPLY_TO,
  startOutboxWorld,
  type OutboxWorld,
} from './outbox-harness';

// /dev/outbox says what it keeps, keeps a parent's reply through a district send, and finds
// a recipient's mails with a plain GET form.

let world: OutboxWorld;
beforeAll(async () => {
  world = await startOutboxWorld();
});
afterAll(async () => {
  await world?.close();
});

const page = async (query = '') => {
  const response = await fetch(`${world.base}/dev/outbox${query}`);
  return { status: response.status, html: await response.text() };
};
/** The recipients of the listed mails, in order. */
const recipients = (html: string) =>
  [...html.matchAll(/data-recipient="([^"]*)"/g)].map((match) => match[1]);

describe('/dev/outbox', () => {
  it('keeps the registration reply through a district send, and says what it keeps', async () => {
    const { status, html } = await page();
    expect(status).toBe(200);
    expect(html).toContain('【中央小学校】登録のご案内');
    expect(recipients(html)).toContain(REPLY_TO);
    expect(recipients(html)).toHaveLength(KEEP.broadcast + 1);
    // What is kept, by kind, and that the oldest broadcasts were dropped.
    expect(html).toContain(`一斉配信のメールは新しい ${KEEP.broadcast} 通`);
    expect(html).toContain(`登録案内などのメールは別に新しい ${KEEP.transactional} 通`);
    expect(html).toContain(`古い一斉配信 ${BROADCASTS - KEEP.broadcast} 通は表示できません`);
    expect(html).toContain('一斉配信');
  });

  it('finds the mails to one recipient with a GET form that works without JavaScript', async () => {
    const { html } = await page();
    expect(html).toMatch(/<form[^>]*method="get"[^>]*>[\s\S]*name="to"/);
    const found = await page(`?to=${encodeURIComponent('SATO.mother')}`);
    expect(recipients(found.html)).toEqual([REPLY_TO]);
    // The search stays in the box, and the page says what it shows.
    expect(found.html).toContain('value="SATO.mother"');
    expect(found.html).toContain('1 通');
    // Full-width input, as a Japanese keyboard may type it.
    const eight = await page(`?to=${encodeURIComponent('ｐａｒｅｎｔ８')}`);
    expect(recipients(eight.html)).toEqual(['parent8@example.jp']);
    expect(recipients((await page(`?to=${encodeURIComponent(LONG_ADDRESS)}`)).html)).toEqual([
      LONG_ADDRESS,
    ]);
  });

  it('answers an empty search with every mail, and a search without match plainly', async () => {
    expect(recipients((await page('?to=')).html)).toHaveLength(KEEP.broadcast + 1);
    // The oldest broadcasts are gone, not hidden.
    expect(recipients((await page('?to=parent1%40')).html)).toEqual([]);
    const none = await page(`?to=${encodeURIComponent('<script>alert(1)</script>')}`);
    expect(none.status).toBe(200);
    expect(recipients(none.html)).toEqual([]);
    expect(none.html).toContain('該当するメールはありません');
    expect(none.html).not.toContain('<script>alert(1)</script>');
  });

  it('refuses a search longer than any address (400)', async () => {
    const { status } = await page(`?to=${'a'.repeat(255)}`);
    expect(status).toBe(400);
    expect((await page('?to=a&to=b')).status).toBe(400);
  });
});
