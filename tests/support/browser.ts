import { chromium, type Browser } from 'playwright-core';

// Browser tests drive Debian's Chromium (never a downloaded browser); the flags keep it from
// reaching for the network this machine does not have.
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/** A headless Chromium; close it in afterAll. `env` adds to its environment (FONTCONFIG_FILE…). */
export function launchBrowser(env?: Record<string, string>): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    ...(env ? { env: { ...process.env, ...env } } : {}),
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--disable-dev-shm-usage',
    ],
  });
}

/** A phone-sized context, as parents use the registration pages. */
export const PHONE_VIEWPORT = { width: 390, height: 844 };
