import { createHash } from 'node:crypto';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PASSWORD, logIn as logInAs, tokenFor } from '../send/harness';
import { launchBrowser } from '../support/browser';
import { startProbeWeb, type ProbeWeb } from './support';

// Issue 12 item 23, the probes: every page (error pages too) carries a Content-Security-Policy
// whose script-src allows only this site and the hashes of the page's own inline scripts; staff and parent pages are
// never cached (call lists hold phone numbers); a non-JSON post to /api/v1 gets the documented
// 415, not SvelteKit's CSRF 403. A real Chromium checks that the pages still work under it.

let world: ProbeWeb;
let base: string;
let token: string;
let browser: Browser;

beforeAll(async () => {
  world = await startProbeWeb();
  ({ base } = world);
  token = await tokenFor(world.db, world.board.id);
  browser = await launchBrowser();
});

afterAll(async () => {
  await browser?.close();
  await world?.close();
});

const logIn = () => logInAs(base, 'board.sato');

/** The policy's directives by name. */
function directives(policy: string | null): Map<string, string[]> {
  const map = new Map<string, string[]>();
  for (const part of (policy ?? '').split(';')) {
    const [name, ...values] = part.trim().split(/\s+/);
    if (name) map.set(name, values);
  }
  return map;
}

/** Checks the page's policy and that it names the hash of every inline script. */
async function expectScriptPolicy(response: Response): Promise<void> {
  const policy = directives(response.headers.get('content-security-policy'));
  const scriptSrc = policy.get('script-src') ?? [];
  expect(scriptSrc).toContain("'self'");
  expect(scriptSrc).not.toContain("'unsafe-inline'");
  expect(scriptSrc).not.toContain("'unsafe-eval'");
  expect(policy.get('frame-ancestors')).toEqual(["'none'"]);
  expect(policy.get('object-src')).toEqual(["'none'"]);
  expect(policy.get('base-uri')).toEqual(["'self'"]);
  const html = await response.text();
  const inline = [...html.matchAll(/<script(?![^>]*\bsrc=)[^>]*>([\s\S]*?)<\/script>/g)];
  expect(inline.length).toBeGreaterThan(0);
  for (const [, content] of inline) {
    const hash = createHash('sha256').update(content!).digest('base64');
    expect(scriptSrc).toContain(`'sha256-${hash}'`);
  }
}

describe('Content-Security-Policy (item 23)', () => {
  it('is on the login pages, a staff page, a parent page and the error pages', async () => {
    const cookie = await logIn();
    for (const [path, headers, status] of [
      ['/staff/login', {}, 200],
      ['/account/login', {}, 200],
      ['/staff', { cookie }, 200],
      ['/staff/messages/999999', { cookie }, 404],
      ['/no-such-page', {}, 404],
    ] as const) {
      const response = await fetch(`${base}${path}`, {
        headers: { accept: 'text/html', ...headers },
      });
      expect(response.status, path).toBe(status);
      await expectScriptPolicy(response);
    }
  });

  it('lets the pages run in Chromium without a single violation', async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    const violations: string[] = [];
    page.on('console', (message) => {
      if (/Content Security Policy|Refused to/i.test(message.text()))
        violations.push(message.text());
    });
    await page.goto(`${base}/staff/login`);
    await page.fill('input[name="login"]', 'board.sato');
    await page.fill('input[name="password"]', PASSWORD);
    await Promise.all([page.waitForURL(`${base}/staff`), page.click('button[type="submit"]')]);
    // Hydrated: the client router follows a link without loading a new document.
    await page.evaluate(() => ((globalThis as unknown as { marker: number }).marker = 1));
    await Promise.all([
      page.waitForURL(`${base}/staff/messages`),
      page.click('a[href="/staff/messages"]'),
    ]);
    expect(await page.evaluate(() => (globalThis as unknown as { marker?: number }).marker)).toBe(
      1,
    );
    expect(violations).toEqual([]);
    await context.close();
  });
});

describe('Cache-Control (item 23)', () => {
  it('is no-store on staff and parent pages and their data', async () => {
    const cookie = await logIn();
    for (const [path, headers] of [
      ['/staff', { cookie }],
      ['/staff/__data.json', { cookie }],
      ['/staff/login', {}],
      ['/account/login', {}],
      ['/account/forgot', {}],
    ] as const) {
      const response = await fetch(`${base}${path}`, { redirect: 'manual', headers });
      expect(response.headers.get('cache-control'), path).toBe('no-store');
    }
  });
});

describe('non-JSON posts to /api/v1 (item 23)', () => {
  it.each([
    ['text/plain', '{"subject":"x"}'],
    ['application/x-www-form-urlencoded', 'subject=x'],
    [
      'multipart/form-data; boundary=b',
      '--b\r\nContent-Disposition: form-data; name="a"\r\n\r\nx\r\n--b--\r\n',
    ],
  ])('answers %s with the documented 415, with or without an Origin', async (type, body) => {
    for (const origin of [undefined, 'http://evil.example']) {
      const response = await fetch(`${base}/api/v1/messages`, {
        method: 'POST',
        headers: {
          authorization: `Bearer ${token}`,
          'content-type': type,
          ...(origin ? { origin } : {}),
        },
        body,
      });
      expect(response.status, `${type} ${origin}`).toBe(415);
      expect(await response.json()).toMatchObject({ error: 'unsupported_media_type' });
    }
  });

  it('still refuses a cross-site form post to a page (CSRF stays closed)', async () => {
    const response = await fetch(`${base}/staff/login?/login`, {
      method: 'POST',
      redirect: 'manual',
      headers: { 'content-type': 'text/plain', origin: 'http://evil.example' },
      body: 'login=board.sato',
    });
    expect(response.status).toBe(403);
  });
});
