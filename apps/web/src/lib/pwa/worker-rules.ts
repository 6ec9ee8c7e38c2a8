// What the service worker decides, as plain functions (service-worker.ts only wires them to
// events), so the rules are tested without a browser.

/** Pages kept for offline reading: the inbox only, never a staff page or another account page. */
export const INBOX_ROOT = '/account/inbox';

/** The one cache of a family's pages; emptied whenever who is signed in may change. */
export const INBOX_CACHE = 'renraku-inbox';

export function isInboxPath(pathname: string): boolean {
  return pathname === INBOX_ROOT || pathname.startsWith(`${INBOX_ROOT}/`);
}

/**
 * POSTs after which the cached inbox may be another family's or nobody's: the login, the
 * account's logout action and the withdrawal. Seen by the worker before the network answers.
 */
export function endsFamilySession(url: URL): boolean {
  if (url.pathname === '/account/login' || url.pathname === '/account/withdraw') return true;
  return url.pathname === '/account' && url.search.includes('/logout');
}

/** Only a whole page of the inbox itself is kept: no redirect (to the login), no error. */
export function isCacheableInboxResponse(response: Response, requestUrl: URL): boolean {
  if (!response.ok || response.redirected || response.type !== 'basic') return false;
  return isInboxPath(requestUrl.pathname) && isInboxPath(new URL(response.url).pathname);
}

export interface NotificationContent {
  title: string;
  body: string;
  /** Always a page of this site. */
  url: string;
}

/**
 * The push payload `{ title, body, url }` as the dispatcher sends it. Anything else still shows a
 * notification (the browser would show a generic one otherwise) that opens the account; a URL
 * of another site is never opened.
 */
export function notificationContent(
  payload: unknown,
  origin: string,
  fallbackTitle: string,
): NotificationContent {
  const record = typeof payload === 'object' && payload !== null ? payload : {};
  const text = (key: string) => {
    const value = (record as Record<string, unknown>)[key];
    return typeof value === 'string' ? value : '';
  };
  let url = `${origin}/account`;
  try {
    const target = new URL(text('url') || '/account', origin);
    if (target.origin === origin) url = target.href;
  } catch {
    // Not a URL: the account page.
  }
  return { title: text('title') || fallbackTitle, body: text('body'), url };
}
