import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { launchBrowser, PHONE_VIEWPORT } from '../support/browser';
import { KEEP, LONG_ADDRESS, startOutboxWorld, type OutboxWorld } from './outbox-harness';

// /dev/outbox on a 390 px phone: nothing wider than the screen, every row readable.

let world: OutboxWorld;
let browser: Browser;
beforeAll(async () => {
  [world, browser] = await Promise.all([startOutboxWorld(), launchBrowser()]);
});
afterAll(async () => {
  await browser?.close();
  await world?.close();
});

it('fits a 390 px phone: no sideways scrolling, each mail readable, the search usable', async () => {
  const context = await browser.newContext({ viewport: PHONE_VIEWPORT, locale: 'ja-JP' });
  try {
    const page = await context.newPage();
    await page.goto(`${world.base}/dev/outbox`);
    // As strings: this file is type-checked without the DOM library.
    const overflow = {
      scroll: Number(await page.evaluate('document.documentElement.scrollWidth')),
      client: Number(await page.evaluate('document.documentElement.clientWidth')),
    };
    expect(overflow.scroll).toBeLessThanOrEqual(overflow.client);

    const rows = page.locator('[data-recipient]');
    expect(await rows.count()).toBe(KEEP.broadcast + 1);
    for (const row of await rows.all()) {
      const box = (await row.boundingBox())!;
      expect(box.x).toBeGreaterThanOrEqual(0);
      expect(box.x + box.width).toBeLessThanOrEqual(PHONE_VIEWPORT.width);
    }
    // The long address wraps inside its row instead of pushing the page wider.
    const long = page.locator(`[data-recipient="${LONG_ADDRESS}"]`);
    await expect.poll(() => long.getByText(LONG_ADDRESS).isVisible()).toBe(true);
    const subject = long.getByRole('link');
    const subjectBox = (await subject.boundingBox())!;
    expect(subjectBox.x + subjectBox.width).toBeLessThanOrEqual(PHONE_VIEWPORT.width);
    const fontSize = Number.parseFloat(
      await subject.evaluate(
        (el) => (el.ownerDocument.defaultView?.getComputedStyle(el) ?? { fontSize: '0' }).fontSize,
      ),
    );
    expect(fontSize).toBeGreaterThanOrEqual(14);

    // Search by recipient, as a phone user types it.
    await page.getByRole('searchbox').fill('sato.mother');
    await page.getByRole('button', { name: '検索' }).click();
    await page.waitForURL(/\?to=sato\.mother/);
    expect(await page.locator('[data-recipient]').count()).toBe(1);
  } finally {
    await context.close();
  }
});
