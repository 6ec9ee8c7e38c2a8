import type { Route } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { launchBrowser } from '../support/browser';
import { PASSWORD, startSendWorld, type SendWorld } from './harness';

// On a slow school network a teacher may type before the page's JavaScript has loaded. What
// was typed must survive hydration: the scripts are held back here until the form is filled.

let world: SendWorld;

beforeAll(async () => {
  world = await startSendWorld();
});

afterAll(async () => {
  await world?.close();
});

it('keeps what was typed before the scripts loaded, on the login and the compose page', async () => {
  const browser = await launchBrowser();
  try {
    const page = await browser.newPage();
    const held: Route[] = [];
    let holding = true;
    // Only the scripts: the stylesheet must load for the page to be shown at all.
    await page.route('**/_app/immutable/**/*.js', (route) =>
      holding ? held.push(route) : route.continue(),
    );
    const release = async () => {
      holding = false;
      await Promise.all(held.splice(0).map((route) => route.continue()));
      await page.waitForLoadState('networkidle');
    };

    await page.goto(`${world.base}/staff/login`, { waitUntil: 'domcontentloaded' });
    await page.fill('input[name="login"]', world.staff.adminA.login);
    await page.fill('input[name="password"]', PASSWORD);
    await release();
    expect(await page.inputValue('input[name="login"]')).toBe(world.staff.adminA.login);
    await page.click('button[type="submit"]');
    await page.waitForURL(`${world.base}/staff`);

    holding = true;
    await page.goto(`${world.base}/staff/messages/new`, { waitUntil: 'domcontentloaded' });
    await page.fill('#compose-subject', '臨時休校のお知らせ');
    await page.fill('#compose-body', '大雨警報のため、本日は臨時休校とします。');
    await release();
    expect(await page.inputValue('#compose-subject')).toBe('臨時休校のお知らせ');
    expect(await page.inputValue('#compose-body')).toBe('大雨警報のため、本日は臨時休校とします。');
  } finally {
    await browser.close();
  }
});
