import {
  createDecipheriv,
  createECDH,
  createPublicKey,
  hkdfSync,
  randomBytes,
  verify,
} from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

// A push service for the tests, written with node:crypto (decision: the web-push-testing
// package runs as a separate CLI process and only ever answers 201, so it cannot be told to
// answer 410, 429, to hang, to redirect or to send an endless body). It speaks plain HTTP on
// 127.0.0.1, which the sender accepts only under its test-only setting (decision: no HTTPS with
// a self-signed certificate, which node:crypto cannot make and which the sender would have to
// be told to trust through yet another test-only setting). It hands out
// subscriptions as a browser would (an ECDH P-256 key pair and a 16-byte auth secret), checks
// each push's VAPID JWT (RFC 8292) and decrypts its aes128gcm payload (RFC 8291) with the
// subscription's private key, and records what it received. Each subscription answers as told:
//   { status, retryAfter? }   that status (201 by default), with Retry-After when given
//   { hold: true }            no answer until the next release() (a slow service)
//   { hugeBodyBytes }         201 followed by that many bytes of body
//   { redirectTo }            307 to that URL
//   { sequence: [a, b, …] }   a to the first request, b to the second, …, the last one after
// A push whose JWT or encryption is wrong gets 403 or 400 and is recorded in `rejected`.

export type MockAnswer =
  | { status: number; retryAfter?: string }
  | { hold: true }
  | { hugeBodyBytes: number }
  | { redirectTo: string }
  | { sequence: [MockAnswer, ...MockAnswer[]] };

export interface MockSubscription {
  endpoint: string;
  keys: { p256dh: string; auth: string };
}

export interface ReceivedPush {
  subscription: string;
  /** The decrypted payload. */
  payload: string;
  ttl: string | undefined;
  urgency: string | undefined;
  claims: { aud: string; exp: number; sub: string };
}

export interface MockPushService {
  origin: string;
  subscribe(answer?: MockAnswer): MockSubscription;
  received: ReceivedPush[];
  rejected: { subscription: string; reason: string }[];
  /** Requests per subscription id (the endpoint's last segment), answered or not. */
  requests: Map<string, number>;
  inFlight: number;
  maxInFlight: number;
  /** Huge bodies the client hung up on before they were written whole. */
  cutOff: number;
  /** Resolves once `count` requests are in flight at the same time. */
  whenInFlight(count: number): Promise<void>;
  /** Answers the held requests 201, and every later request of the subscriptions so far. */
  release(): void;
  close(): Promise<void>;
}

/** A VAPID key pair as web-push takes it: base64url of the raw P-256 keys. */
export function vapidKeys(): { publicKey: string; privateKey: string } {
  const ecdh = createECDH('prime256v1');
  ecdh.generateKeys();
  const secret = ecdh.getPrivateKey();
  return {
    publicKey: ecdh.getPublicKey().toString('base64url'),
    privateKey: Buffer.concat([Buffer.alloc(32 - secret.length), secret]).toString('base64url'),
  };
}

interface Holder {
  ecdh: ReturnType<typeof createECDH>;
  auth: Buffer;
  answer: MockAnswer;
}

/** The claims of a valid VAPID Authorization header (`vapid t=<jwt>, k=<key>`), or why not. */
function vapidClaims(
  header: string | undefined,
  origin: string,
  vapidPublicKey: string,
  verified: Map<string, ReceivedPush['claims']>,
): ReceivedPush['claims'] | string {
  const match = /^vapid t=([^,\s]+),\s*k=([A-Za-z0-9_-]+)$/.exec(header ?? '');
  if (!match?.[1] || !match[2]) return 'no vapid authorization';
  if (match[2] !== vapidPublicKey) return 'another vapid key';
  const claims = verified.get(match[1]) ?? verifyJwt(match[1], vapidPublicKey);
  if (typeof claims === 'string') return claims;
  verified.set(match[1], claims);
  const now = Date.now() / 1000;
  if (claims.aud !== origin) return `aud ${claims.aud}`;
  // RFC 8292 §2: no more than 24 hours ahead.
  if (!(claims.exp > now && claims.exp <= now + 24 * 3600)) return `exp ${claims.exp}`;
  if (!/^(mailto:|https:)/.test(claims.sub)) return `sub ${claims.sub}`;
  return claims;
}

/** The claims of an ES256 JWT signed with the VAPID key `publicKey`, or why not. */
function verifyJwt(jwt: string, publicKey: string): ReceivedPush['claims'] | string {
  const [head, body, signature] = jwt.split('.');
  if (!head || !body || !signature) return 'not a JWT';
  const point = Buffer.from(publicKey, 'base64url');
  const key = createPublicKey({
    key: {
      kty: 'EC',
      crv: 'P-256',
      x: point.subarray(1, 33).toString('base64url'),
      y: point.subarray(33, 65).toString('base64url'),
    },
    format: 'jwk',
  });
  const signed = verify(
    'sha256',
    Buffer.from(`${head}.${body}`),
    { key, dsaEncoding: 'ieee-p1363' },
    Buffer.from(signature, 'base64url'),
  );
  if (!signed) return 'bad signature';
  const { alg } = JSON.parse(Buffer.from(head, 'base64url').toString()) as { alg?: string };
  if (alg !== 'ES256') return `alg ${alg}`;
  return JSON.parse(Buffer.from(body, 'base64url').toString()) as ReceivedPush['claims'];
}

/** RFC 8291 §3.4 and RFC 8188: one aes128gcm record, decrypted with the subscription's keys. */
function decrypt(body: Buffer, holder: Holder): string {
  const salt = body.subarray(0, 16);
  const idLength = body[20] ?? 0;
  const senderKey = body.subarray(21, 21 + idLength);
  const record = body.subarray(21 + idLength);
  const shared = holder.ecdh.computeSecret(senderKey);
  const info = Buffer.concat([
    Buffer.from('WebPush: info\0'),
    holder.ecdh.getPublicKey(),
    senderKey,
  ]);
  const ikm = Buffer.from(hkdfSync('sha256', shared, holder.auth, info, 32));
  const cek = Buffer.from(hkdfSync('sha256', ikm, salt, 'Content-Encoding: aes128gcm\0', 16));
  const nonce = Buffer.from(hkdfSync('sha256', ikm, salt, 'Content-Encoding: nonce\0', 12));
  const decipher = createDecipheriv('aes-128-gcm', cek, nonce);
  decipher.setAuthTag(record.subarray(-16));
  const plain = Buffer.concat([decipher.update(record.subarray(0, -16)), decipher.final()]);
  // Padding: the last record ends with the delimiter 2 followed by zeros.
  let end = plain.length - 1;
  while (end >= 0 && plain[end] === 0) end--;
  if (plain[end] !== 2) throw new Error('no last-record delimiter');
  return plain.subarray(0, end).toString('utf8');
}

export async function startMockPushService({
  vapidPublicKey,
}: {
  vapidPublicKey: string;
}): Promise<MockPushService> {
  const holders = new Map<string, Holder>();
  // JWTs whose signature (by this service's VAPID key) was checked, so that a bench measures
  // the sender rather than the mock; their claims are still checked on every push.
  const verifiedJwts = new Map<string, ReceivedPush['claims']>();
  const held: (() => void)[] = [];
  const waiters: { count: number; resolve: () => void }[] = [];

  function answer(response: ServerResponse, how: MockAnswer, request = 1) {
    if ('sequence' in how) {
      const { sequence } = how;
      return answer(response, sequence[Math.min(request, sequence.length) - 1] ?? sequence[0]);
    }
    if ('hold' in how) return void held.push(() => answer(response, { status: 201 }));
    if ('redirectTo' in how) {
      response.writeHead(307, { Location: how.redirectTo }).end();
      return;
    }
    if ('hugeBodyBytes' in how) {
      const chunk = Buffer.alloc(64 * 1024, 'x');
      let sent = 0;
      response.once('close', () => {
        if (!response.writableFinished) service.cutOff++;
      });
      response.writeHead(201, { 'Content-Type': 'text/plain' });
      const pump = () => {
        while (sent < how.hugeBodyBytes && !response.destroyed) {
          sent += chunk.length;
          if (!response.write(chunk)) return void response.once('drain', pump);
        }
        response.end();
      };
      pump();
      return;
    }
    const headers = how.retryAfter === undefined ? {} : { 'Retry-After': how.retryAfter };
    response.writeHead(how.status, headers).end();
  }

  function handle(request: IncomingMessage, response: ServerResponse, body: Buffer) {
    const id = request.url?.match(/^\/push\/([\w-]+)$/)?.[1] ?? '';
    service.requests.set(id, (service.requests.get(id) ?? 0) + 1);
    const holder = holders.get(id);
    if (request.method !== 'POST' || !holder) return void response.writeHead(404).end();
    const claims = vapidClaims(
      request.headers.authorization,
      service.origin,
      vapidPublicKey,
      verifiedJwts,
    );
    if (typeof claims === 'string') {
      service.rejected.push({ subscription: id, reason: claims });
      return void response.writeHead(403).end();
    }
    let payload: string;
    try {
      if (request.headers['content-encoding'] !== 'aes128gcm') throw new Error('not aes128gcm');
      payload = decrypt(body, holder);
    } catch (error) {
      service.rejected.push({ subscription: id, reason: (error as Error).message });
      return void response.writeHead(400).end();
    }
    service.received.push({
      subscription: id,
      payload,
      ttl: request.headers.ttl as string | undefined,
      urgency: request.headers.urgency as string | undefined,
      claims,
    });
    answer(response, holder.answer, service.requests.get(id));
  }

  const server = createServer((request, response) => {
    service.inFlight++;
    service.maxInFlight = Math.max(service.maxInFlight, service.inFlight);
    for (const waiter of waiters.filter((w) => service.inFlight >= w.count)) {
      waiters.splice(waiters.indexOf(waiter), 1);
      waiter.resolve();
    }
    response.once('close', () => service.inFlight--);
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => handle(request, response, Buffer.concat(chunks)));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;

  const service: MockPushService = {
    origin: `http://127.0.0.1:${port}`,
    received: [],
    rejected: [],
    requests: new Map(),
    inFlight: 0,
    maxInFlight: 0,
    cutOff: 0,
    subscribe(answerWith = { status: 201 }) {
      const id = randomBytes(12).toString('base64url');
      const ecdh = createECDH('prime256v1');
      ecdh.generateKeys();
      const auth = randomBytes(16);
      holders.set(id, { ecdh, auth, answer: answerWith });
      return {
        endpoint: `${service.origin}/push/${id}`,
        keys: {
          p256dh: ecdh.getPublicKey().toString('base64url'),
          auth: auth.toString('base64url'),
        },
      };
    },
    whenInFlight(count) {
      if (service.inFlight >= count) return Promise.resolve();
      return new Promise((resolve) => waiters.push({ count, resolve }));
    },
    release() {
      for (const holder of holders.values()) {
        if ('hold' in holder.answer) holder.answer = { status: 201 };
      }
      for (const answerHeld of held.splice(0)) answerHeld();
    },
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
  return service;
}
