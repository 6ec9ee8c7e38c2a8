import { connect, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';
import { schema, type Db } from '@renraku/db';
import { createTestDatabase, type TestDatabase } from '@renraku/db/testing';
import { deriveKeys, hashToken, type Keys } from '@renraku/shared/crypto';
import { createLogger } from '@renraku/shared/logger';
import { simpleParser, type ParsedMail } from 'mailparser';
import nodemailer, { type SendMailOptions } from 'nodemailer';
import { SMTPServer } from 'smtp-server';
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, beforeEach } from 'vitest';
import {
  startInboundServer,
  type InboundOptions,
  type InboundServer,
} from '../../apps/dispatcher/src/inbound';

// Real SMTP both ways: a nodemailer client (or a raw socket) talks to the inbound server, whose
// replies go through a nodemailer transport to a catching smtp-server started here.

export const MAIL_DOMAIN = 'renraku.test';
export const PUBLIC_URL = 'https://renraku.test/app';
export const SCHOOL_ADDRESS = 'touen-e@renraku.test';
export const SCHOOL_NAME = '苫小牧市立桐園小学校';
/** The installation's keys, to decrypt what the server stored and compare. */
export const keys: Keys = deriveKeys('inbound-test-secret-key-0123456789abcdef');

/** A mail as the catching relay received it. */
export interface CaughtMail {
  envelopeFrom: string;
  envelopeTo: string[];
  parsed: ParsedMail;
  /** The mail's bytes as they arrived, to check the charset and transfer encoding. */
  raw: Buffer;
}

/** The relay that the inbound server's replies go to; it can refuse chosen recipients. */
export interface Relay {
  mails: CaughtMail[];
  /** Recipients the relay answers 550 to, to exercise a failed reply. */
  refuse: Set<string>;
  sendReply: InboundOptions['sendReply'];
  close(): Promise<void>;
}

export async function startRelay(): Promise<Relay> {
  const mails: CaughtMail[] = [];
  const refuse = new Set<string>();
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['AUTH', 'STARTTLS'],
    disableReverseLookup: true,
    logger: false,
    onRcptTo(address, _session, callback) {
      if (refuse.has(address.address)) {
        return callback(Object.assign(new Error('no such user'), { responseCode: 550 }));
      }
      callback();
    },
    onData(stream, session, callback) {
      const envelopeFrom = session.envelope.mailFrom ? session.envelope.mailFrom.address : '';
      const envelopeTo = session.envelope.rcptTo.map((rcpt) => rcpt.address);
      // Parsed before the 250, so a mail is in `mails` once the inbound server answered.
      const chunks: Buffer[] = [];
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
      stream.on('end', () => {
        const raw = Buffer.concat(chunks);
        simpleParser(raw).then(
          (parsed) => {
            mails.push({ envelopeFrom, envelopeTo, parsed, raw });
            callback();
          },
          (error: Error) => callback(error),
        );
      });
    },
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.server.address() as AddressInfo;
  const transport = nodemailer.createTransport({ host: '127.0.0.1', port, secure: false });
  return {
    mails,
    refuse,
    sendReply: (mail) => transport.sendMail(mail),
    async close() {
      transport.close();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** A database with one district and one school whose registration address is SCHOOL_ADDRESS. */
export async function createFixture(): Promise<{
  database: TestDatabase;
  db: Db;
  districtId: number;
  schoolId: number;
}> {
  const database = await createTestDatabase();
  const db = database.handle.db;
  const [district] = await db
    .insert(schema.districts)
    .values({ code: 'tomakomai', name: '苫小牧市教育委員会' })
    .returning();
  const [school] = await db
    .insert(schema.schools)
    .values({
      districtId: district!.id,
      code: 'touen-e',
      name: SCHOOL_NAME,
      kind: 'elementary',
      // Stored in another case than parents type it: addresses compare case-insensitively.
      registrationAddress: SCHOOL_ADDRESS.toUpperCase(),
      authCode: 'ABCD2345',
    })
    .returning();
  return { database, db, districtId: district!.id, schoolId: school!.id };
}

/** Starts the inbound server on a free port with test-friendly settings. */
export function startInbound(
  db: Db,
  relay: Relay,
  overrides: Partial<InboundOptions> = {},
): Promise<InboundServer> {
  return startInboundServer({
    db,
    keys,
    logger: createLogger('inbound-test', 'silent'),
    host: '127.0.0.1',
    port: 0,
    mailDomain: MAIL_DOMAIN,
    publicUrl: PUBLIC_URL,
    sendReply: relay.sendReply,
    ...overrides,
  });
}

/** What a test file talks to; filled in by the hooks of useInbound. */
export interface InboundContext {
  db: Db;
  districtId: number;
  schoolId: number;
  relay: Relay;
  inbound: InboundServer;
  /** Every line the server logged, down to debug, to check that none names an address. */
  logs: string[];
}

/**
 * The hooks of an inbound test file: a database of its own, a relay and a server for the file,
 * and before each test no mails, no tokens and no rate-limit counts left from the last one.
 */
export function useInbound(overrides: Partial<InboundOptions> = {}): InboundContext {
  const context = { logs: [] as string[] } as InboundContext;
  const logger = createLogger('inbound-test', 'debug', {
    write: (line: string) => context.logs.push(line),
  });
  let database: TestDatabase | undefined;
  beforeAll(async () => {
    const fixture = await createFixture();
    database = fixture.database;
    context.db = fixture.db;
    context.districtId = fixture.districtId;
    context.schoolId = fixture.schoolId;
    context.relay = await startRelay();
    context.inbound = await startInbound(fixture.db, context.relay, { logger, ...overrides });
  });
  afterAll(async () => {
    await context.inbound?.close();
    await context.relay?.close();
    await database?.drop();
  });
  beforeEach(async () => {
    context.relay.mails.length = 0;
    context.relay.refuse.clear();
    await context.db.delete(schema.registrationTokens);
    await context.db.delete(schema.rateLimits);
  });
  return context;
}

/** A class 1年1組 of the fixture school and one registration in it (苫小牧 太郎); its id. */
export async function createRegistration(context: InboundContext, loginId: string) {
  const [klass] = await context.db
    .insert(schema.classes)
    .values({
      districtId: context.districtId,
      schoolId: context.schoolId,
      schoolYear: 2025,
      grade: 1,
      name: '1組',
    })
    .returning();
  const [registration] = await context.db
    .insert(schema.registrations)
    .values({
      districtId: context.districtId,
      schoolId: context.schoolId,
      classId: klass!.id,
      loginId,
      passwordHash: 'not-a-real-hash',
      childName: '苫小牧 太郎',
      childKana: 'トマコマイ タロウ',
    })
    .returning();
  return registration!.id;
}

/** Sends one mail to the inbound server the way a parent's mail server would. */
export async function sendMail(port: number, mail: SendMailOptions) {
  const transport = nodemailer.createTransport({ host: '127.0.0.1', port, secure: false });
  try {
    return await transport.sendMail(mail);
  } finally {
    transport.close();
  }
}

/** The SMTP error a rejected send failed with. */
export async function sendMailRejected(
  port: number,
  mail: SendMailOptions,
): Promise<{ responseCode?: number; response?: string }> {
  try {
    await sendMail(port, mail);
  } catch (error) {
    return error as { responseCode?: number; response?: string };
  }
  throw new Error('the inbound server accepted a mail it should have refused');
}

/** The token in a reply's link, e.g. /r/<token>. */
export function tokenInLink(mail: CaughtMail, path: string): string {
  const match = new RegExp(`${PUBLIC_URL}${path}([A-Za-z0-9_-]+)`).exec(mail.parsed.text ?? '');
  if (!match?.[1]) throw new Error(`no ${path} link in the reply`);
  return match[1];
}

/** The stored row of a mailed token, found the only way possible: by its hash. */
export function findTokenRow(db: Db, token: string) {
  return db.query.registrationTokens.findFirst({
    where: eq(schema.registrationTokens.tokenHash, hashToken(token)),
  });
}

/** "Nothing stored" means this stays where it was. */
export async function countTokens(db: Db): Promise<number> {
  return (await db.select().from(schema.registrationTokens)).length;
}

/**
 * A raw SMTP conversation: `say` writes bytes as they are (for garbage, 8-bit junk and
 * pipelining) and resolves with the next complete reply (multi-line replies joined).
 */
export interface RawSmtp {
  greeting: Promise<string>;
  say(data: string | Buffer): Promise<string>;
  write(data: string | Buffer): void;
  next(): Promise<string>;
  socket: Socket;
  end(): void;
}

export function rawSmtp(port: number): RawSmtp {
  const socket = connect(port, '127.0.0.1');
  let buffer = '';
  const replies: string[] = [];
  const waiting: ((reply: string) => void)[] = [];
  socket.setEncoding('latin1');
  socket.on('data', (chunk: string) => {
    buffer += chunk;
    let match: RegExpExecArray | null;
    // A reply ends with a line "NNN text" (a space after the code, not a dash).
    while ((match = /^(?:\d{3}-[^\r\n]*\r\n)*\d{3}(?: [^\r\n]*)?\r\n/.exec(buffer))) {
      buffer = buffer.slice(match[0].length);
      const reply = match[0].trimEnd();
      const waiter = waiting.shift();
      if (waiter) waiter(reply);
      else replies.push(reply);
    }
  });
  socket.on('error', () => {});
  const next = () =>
    new Promise<string>((resolve) => {
      const reply = replies.shift();
      if (reply !== undefined) resolve(reply);
      else waiting.push(resolve);
    });
  return {
    greeting: next(),
    socket,
    write: (data) => socket.write(data),
    next,
    say(data) {
      socket.write(data);
      return next();
    },
    end: () => socket.destroy(),
  };
}
