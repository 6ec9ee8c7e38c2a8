import type { IncomingMessage } from 'node:http';
import type { TLSSocket } from 'node:tls';

// Which origin a request belongs to. PUBLIC_URL is the site's name (links in mails use it);
// the web also answers on whatever address it was reached at directly (the demo on a LAN
// address, tests on a random port), and a page of that address may post to it.

/** Scheme and Host exactly as the request reached this process. */
function directOrigin(req: IncomingMessage): string | undefined {
  const host = req.headers.host;
  if (!host) return undefined;
  const scheme = (req.socket as Partial<TLSSocket>).encrypted ? 'https' : 'http';
  return `${scheme}://${host}`;
}

/**
 * The origin SvelteKit sees a request at, and so the one a form post's Origin must match:
 * PUBLIC_URL for the public host or a page of it (also behind a proxy that rewrites Host),
 * otherwise the address the request came to directly.
 */
export function requestOrigin(publicUrl: string, req: IncomingMessage): string {
  if (req.headers.origin === publicUrl || req.headers.host === new URL(publicUrl).host) {
    return publicUrl;
  }
  return directOrigin(req) ?? publicUrl;
}

/** Socket.IO's CSRF guard: a WebSocket has no CORS, so the Origin header is checked here. */
export function isAllowedOrigin(publicUrl: string, req: IncomingMessage): boolean {
  const origin = req.headers.origin;
  return origin !== undefined && (origin === publicUrl || origin === directOrigin(req));
}
