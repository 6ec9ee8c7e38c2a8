import { randomUUID } from 'node:crypto';
import {
  json,
  redirect,
  text,
  type Handle,
  type HandleServerError,
  type RequestEvent,
} from '@sveltejs/kit';
import { sequence } from '@sveltejs/kit/hooks';
import { isLocale, LOCALE_COOKIE, negotiateLocale } from '$lib/i18n';
import { contextOf } from '$lib/server/context';
import { clearSessionCookie, sessionToken } from '$lib/server/auth/cookies';
import { loginRequiredFor } from '$lib/server/auth/guards';
import { sameSitePath } from '$lib/server/redirect';
import { isUtf8Form } from '$lib/server/utf8';
import { resumeSession, sessionPolicy } from '$lib/server/auth/sessions';
import { authenticateApiToken, authenticateStaffSession } from '$lib/server/auth/staff';

// Every request passes here in order: context → API token or cookies → language → guards.
// Pages, actions and API routes then just read `locals` (see app.d.ts).

const API_ROOT = '/api/v1';
const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/** nginx's $request_id (32 hex digits) or another proxy's: kept when TRUST_PROXY trusts it. */
const REQUEST_ID = /^[A-Za-z0-9._:-]{8,64}$/;

/** The request's log id: the proxy's, so nginx's and our lines match up, or a new one. */
function requestIdOf(event: RequestEvent, trusted: boolean): string {
  const given = event.request.headers.get('x-request-id');
  return trusted && given && REQUEST_ID.test(given) ? given : randomUUID();
}

/** The context with its logger naming more of the request (its id, then who is signed in). */
function logging<T extends App.Locals['ctx']>(ctx: T, fields: Record<string, unknown>): T {
  return { ...ctx, logger: ctx.logger.child(fields) };
}

/**
 * One log line per request that changes something (and per failure): what a log search for
 * a message or a staff member finds beside the services' own lines. Reads log at debug, and so
 * do the families' taps: a city's burst is stored as answers, not as log lines.
 */
function logRequest(event: RequestEvent, status: number, ms: number): void {
  const { logger } = event.locals.ctx;
  const route = event.route.id ?? 'unmatched';
  const messageId = route.includes('/messages/[id]')
    ? Number(event.params.id) || undefined
    : undefined;
  const line = { method: event.request.method, route, status, ms: Math.round(ms), messageId };
  if (status >= 500) logger.error(line, 'request');
  else if (SAFE_METHODS.has(event.request.method) || isConfirmLink(event.url.pathname)) {
    logger.debug(line, 'request');
  } else logger.info(line, 'request');
}

const attachContext: Handle = async ({ event, resolve }) => {
  const started = performance.now();
  const shared = contextOf(event.platform);
  const requestId = requestIdOf(event, shared.env.trustProxy !== false);
  const ctx = logging(shared, { requestId });
  event.locals.ctx = ctx;
  event.locals.locale = 'ja';
  const response = await resolve(event, {
    // app.html's <html lang>, once the language of this response is known.
    transformPageChunk: ({ html }) => html.replace('%renraku.lang%', event.locals.locale),
  });
  const ms = performance.now() - started;
  ctx.metrics.request(
    event.route.id ?? 'unmatched',
    event.request.method,
    response.status,
    ms / 1000,
  );
  logRequest(event, response.status, ms);
  response.headers.set('x-request-id', requestId);
  return response;
};

const under = (pathname: string, root: string) =>
  pathname === root || pathname.startsWith(`${root}/`);

/**
 * The families' confirmation pages (/c/<token>). Their authority is the signed token in the
 * URL, never a cookie, so a cross-site post gains nothing there (as for /api/v1), and a
 * feature phone's browser, which sends no Origin (nor does any browser under their
 * no-referrer policy: it sends `null`), must still be able to tap.
 */
const CONFIRM_ROOT = '/c';

function isConfirmLink(pathname: string): boolean {
  return under(pathname, CONFIRM_ROOT);
}

function isApiRequest(pathname: string): boolean {
  return pathname === API_ROOT || pathname.startsWith(`${API_ROOT}/`);
}

function bearerToken(header: string | null): string | undefined {
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header ?? '');
  return match?.[1];
}

/**
 * /api/v1 is for integrations: an API token only, never cookies, so a browser cannot be made
 * to call it (no CSRF). Everywhere else, a request that changes something must come from a
 * page of this site (Origin check for every method and content type, beyond SvelteKit's own
 * check of form posts), and the session cookies say who is signed in.
 */
const authenticate: Handle = async ({ event, resolve }) => {
  const { ctx } = event.locals;
  const now = new Date();
  if (isApiRequest(event.url.pathname)) {
    const token = bearerToken(event.request.headers.get('authorization'));
    const staff = token ? await authenticateApiToken(ctx, token, now) : undefined;
    if (!staff) {
      return json(
        {
          error: 'unauthorized',
          message: 'A valid API token is required (Authorization: Bearer …).',
        },
        { status: 401, headers: { 'www-authenticate': 'Bearer' } },
      );
    }
    event.locals.staff = staff;
    event.locals.ctx = logging(ctx, { staffId: staff.id });
    return resolve(event);
  }

  // A confirmation tap's only field is a choice of digits, which its action checks; the
  // families' burst is spared this copy of every body.
  if (!SAFE_METHODS.has(event.request.method) && !isConfirmLink(event.url.pathname)) {
    if (event.request.headers.get('origin') !== event.url.origin) {
      return text('Cross-site requests are forbidden', { status: 403 });
    }
    // A form decoder would turn broken bytes into U+FFFD; the form is refused instead.
    if (
      /^application\/x-www-form-urlencoded/i.test(event.request.headers.get('content-type') ?? '')
    ) {
      const body = new Uint8Array(await event.request.clone().arrayBuffer());
      if (!isUtf8Form(body)) return text('The form is not valid UTF-8', { status: 400 });
    }
  }

  const staffToken = sessionToken(event.cookies, 'staff');
  if (staffToken) {
    const staff = await authenticateStaffSession(ctx, staffToken, now);
    event.locals.staff = staff;
    if (staff) event.locals.ctx = logging(ctx, { staffId: staff.id });
    else clearSessionCookie(event.cookies, ctx, 'staff');
  }
  const parentToken = sessionToken(event.cookies, 'parent');
  if (parentToken) {
    const policy = sessionPolicy(ctx.env.sessions, 'parent');
    const session = await resumeSession(ctx.db, 'parent', parentToken, policy, now);
    if (session?.registrationId != null) {
      event.locals.parent = { registrationId: session.registrationId };
    } else {
      clearSessionCookie(event.cookies, ctx, 'parent');
    }
  }
  return resolve(event);
};

/** ?lang= switches and remembers the language; else the cookie, the account, the browser. */
const localize: Handle = ({ event, resolve }) => {
  const requested = event.url.searchParams.get('lang');
  if (isLocale(requested) && event.request.method === 'GET' && !event.isDataRequest) {
    event.cookies.set(LOCALE_COOKIE, requested, {
      path: '/',
      httpOnly: true,
      sameSite: 'lax',
      secure: event.locals.ctx.env.secureCookies,
      maxAge: 365 * 24 * 3600,
    });
    const clean = new URL(event.url);
    clean.searchParams.delete('lang');
    redirect(303, sameSitePath(`${clean.pathname}${clean.search}`, '/'));
  }
  const remembered = event.cookies.get(LOCALE_COOKIE);
  event.locals.locale = isLocale(remembered)
    ? remembered
    : (event.locals.staff?.locale ?? negotiateLocale(event.request.headers.get('accept-language')));
  return resolve(event);
};

const guard: Handle = ({ event, resolve }) => {
  const loginPath = loginRequiredFor(event.url.pathname, event.locals);
  if (loginPath) {
    const next = sameSitePath(`${event.url.pathname}${event.url.search}`, loginPath);
    redirect(303, `${loginPath}?next=${encodeURIComponent(next)}`);
  }
  return resolve(event);
};

/** Staff pages hold phone numbers and parents' pages their children: no cache may keep them. */
const PRIVATE_ROOTS = ['/staff', '/account', CONFIRM_ROOT, API_ROOT];

const neverCached: Handle = async ({ event, resolve }) => {
  const response = await resolve(event);
  const { pathname } = event.url;
  if (PRIVATE_ROOTS.some((root) => under(pathname, root))) {
    response.headers.set('cache-control', 'no-store');
  }
  // Not even this site's own pages may learn the token from a Referer.
  if (isConfirmLink(pathname)) response.headers.set('referrer-policy', 'no-referrer');
  return response;
};

export const handle = sequence(neverCached, attachContext, authenticate, localize, guard);

export const handleError: HandleServerError = ({ error, event, status, message }) => {
  if (status >= 500) {
    const logger = (event.locals as Partial<App.Locals>).ctx?.logger;
    if (logger) logger.error({ err: error, path: event.url.pathname }, 'request failed');
    else console.error(error);
  }
  return { message };
};
