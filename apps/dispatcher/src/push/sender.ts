import http from 'node:http';
import https from 'node:https';
import { isIP, type LookupFunction } from 'node:net';
import {
  PublicUrlError,
  publicUrlProblem,
  resolvePublicUrl,
  type PublicUrlOptions,
  type Resolver,
} from '@renraku/shared/public-url';
import pLimit, { type LimitFunction } from 'p-limit';
import webPush from 'web-push';
import type { PushOptions } from './payload';
import type { PushSender, PushSubscription } from './ports';
import type { PushReply } from './reply';

// The web-push adapter: web-push builds the request (aes128gcm encryption, the VAPID JWT), and
// the request is made here rather than by webPush.sendNotification, which follows no limits of
// ours: the connection goes only to an address the guard checked, with a deadline, a cap on the
// answer and no redirect followed. The address guard is the one subscriptions are stored with
// (@renraku/shared/public-url), run again here because a name's DNS answer can change.

/** The VAPID key pair (base64url, as web-push generates them) and the contact of RFC 8292. */
export interface VapidSettings {
  publicKey: string;
  privateKey: string;
  /** mailto: or https: URL the push service may contact about our traffic. */
  subject: string;
}

/** How the dispatcher pushes. */
export interface PushSettings {
  vapid: VapidSettings;
  /** Pushes in flight at once to one push service (the endpoint's origin). */
  concurrencyPerService: number;
  /** Longest wait for a push service's answer, connection included. */
  timeoutMs: number;
  /** Test-only: loopback endpoints (http on a literal), for a mock push service on this host. */
  allowLoopback: boolean;
}

/** Bytes of an answer read at most; a push service's body is a short error text, if any. */
export const PUSH_RESPONSE_MAX_BYTES = 64 * 1024;

/** Characters of an answer's body kept for the log. */
const REPLY_TEXT_MAX = 200;

/**
 * A VAPID JWT is valid 12 hours and is the same for every push to one service: signed once an
 * hour per service instead of once per push (ES256 signing was two thirds of a push's CPU).
 */
const JWT_LIFETIME_SECONDS = 12 * 3600;
const JWT_REUSE_MS = 3600_000;
/** Services whose JWT is kept; past it the oldest is dropped and signed again when needed. */
const JWT_CACHE_SIZE = 256;

/**
 * A `lookup` for the request to `endpoint`: the name is resolved and every answer checked by the
 * guard, and the connection is handed only those answers, never a second look-up's. Runs when a
 * new connection is made; a kept-alive one was checked when it was opened.
 */
export function checkedLookup(
  endpoint: string,
  guard: PublicUrlOptions & { resolve?: Resolver },
): LookupFunction {
  return (_hostname, options, callback) => {
    resolvePublicUrl(endpoint, guard).then(
      ({ addresses }) => {
        const answers = addresses
          .map((address) => ({ address, family: isIP(address) }))
          .filter(({ family }) => !options.family || family === options.family);
        const [first] = answers;
        if (!first) return callback(new PublicUrlError('unresolvable'), '', 0);
        if (options.all) return (callback as AllCallback)(null, answers);
        callback(null, first.address, first.family);
      },
      (error: Error) => callback(error, '', 0),
    );
  };
}

type AllCallback = (error: null, addresses: { address: string; family: number }[]) => void;

/** Refused for good: the address is not public. A name that does not resolve is retried. */
function isRefusal(error: Error): boolean {
  return error instanceof PublicUrlError && error.problem !== 'unresolvable';
}

/**
 * Pushes through web-push's request details over node:https, at most `concurrencyPerService`
 * at once per push service. `resolve` replaces DNS in tests (a name that answers inward).
 */
export function createWebPushSender(settings: PushSettings, resolve?: Resolver): PushSender {
  const guard = { allowLoopback: settings.allowLoopback, resolve };
  // Kept-alive connections: a send to one service is thousands of requests to one origin.
  const agents = {
    'https:': new https.Agent({ keepAlive: true }),
    'http:': new http.Agent({ keepAlive: true }),
  };
  /** One bound per service while it has sends, so endpoints cannot grow the map for ever. */
  const services = new Map<string, { limit: LimitFunction; sends: number }>();
  const jwts = new Map<string, { authorization: string; signedAt: number }>();

  /** RFC 8292: the `vapid t=…, k=…` header for the service at `origin` (the JWT's aud). */
  function vapidAuthorization(origin: string): string {
    const now = Date.now();
    const kept = jwts.get(origin);
    if (kept && now - kept.signedAt < JWT_REUSE_MS) return kept.authorization;
    const { publicKey, privateKey, subject } = settings.vapid;
    const expiration = Math.floor(now / 1000) + JWT_LIFETIME_SECONDS;
    const { Authorization: authorization } = webPush.getVapidHeaders(
      origin,
      subject,
      publicKey,
      privateKey,
      'aes128gcm',
      expiration,
    );
    jwts.delete(origin);
    if (jwts.size >= JWT_CACHE_SIZE) jwts.delete(jwts.keys().next().value!);
    jwts.set(origin, { authorization, signedAt: now });
    return authorization;
  }

  function request(url: URL, subscription: PushSubscription, body: string, options: PushOptions) {
    // Without vapidDetails web-push signs nothing: the JWT is ours, kept per service.
    const details = webPush.generateRequestDetails(subscription, body, {
      TTL: options.ttlSeconds,
      urgency: options.urgency,
      contentEncoding: 'aes128gcm',
    });
    details.headers.Authorization = vapidAuthorization(url.origin);
    const transport = url.protocol === 'https:' ? https : http;
    return new Promise<PushReply>((resolveReply) => {
      let status: number | null = null;
      let retryAfter: string | undefined;
      let text = '';
      let settled = false;
      const finish = (reply: PushReply) => {
        if (settled) return;
        settled = true;
        clearTimeout(deadline);
        resolveReply(reply);
      };
      const answered = () => finish({ status, retryAfter, text });
      const req = transport.request(
        url,
        {
          method: 'POST',
          headers: details.headers,
          agent: agents[url.protocol as keyof typeof agents],
          lookup: checkedLookup(url.href, guard),
        },
        (response) => {
          status = response.statusCode ?? null;
          const header = response.headers['retry-after'];
          retryAfter = Array.isArray(header) ? header[0] : header;
          let bytes = 0;
          response.setEncoding('utf8');
          response.on('data', (chunk: string) => {
            bytes += Buffer.byteLength(chunk);
            if (text.length < REPLY_TEXT_MAX) text += chunk.slice(0, REPLY_TEXT_MAX - text.length);
            // An endless answer is cut: the status is all that counts.
            if (bytes > PUSH_RESPONSE_MAX_BYTES) {
              response.destroy();
              answered();
            }
          });
          response.on('end', answered);
          response.on('close', answered);
        },
      );
      const deadline = setTimeout(() => {
        if (status !== null) return answered();
        req.destroy(new Error(`no answer within ${settings.timeoutMs} ms`));
      }, settings.timeoutMs);
      req.on('error', (error) => {
        if (status !== null) return answered();
        finish({ status: null, text: error.message, refused: isRefusal(error) });
      });
      req.end(details.body);
    });
  }

  return {
    async send(subscription, payload, options) {
      // Literals and the URL's form before anything else; names are checked by the lookup.
      const problem = publicUrlProblem(subscription.endpoint, guard);
      if (problem)
        return { status: null, text: new PublicUrlError(problem).message, refused: true };
      const url = new URL(subscription.endpoint);
      const { origin } = url;
      let service = services.get(origin);
      if (!service) {
        service = { limit: pLimit(settings.concurrencyPerService), sends: 0 };
        services.set(origin, service);
      }
      service.sends++;
      const body = JSON.stringify(payload);
      try {
        return await service.limit(() => request(url, subscription, body, options));
      } catch (error) {
        // web-push refuses keys of the wrong length or encoding before anything is sent.
        return { status: null, text: (error as Error).message, refused: true };
      } finally {
        if (--service.sends === 0) services.delete(origin);
      }
    },
    async close() {
      for (const agent of Object.values(agents)) agent.destroy();
    },
  };
}
