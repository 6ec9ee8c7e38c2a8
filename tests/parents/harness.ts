import { createRegistrationToken, schema, type Db } from '@renraku/db';
import { createTestDatabase, type TestDatabase } from '@renraku/db/testing';
import { blindIndex, deriveKeys, sealAddress, type Keys } from '@renraku/shared/crypto';
import { eq } from 'drizzle-orm';
import { simpleParser, type ParsedMail } from 'mailparser';
import { afterAll, beforeAll } from 'vitest';
import { startSink, type Sink } from '../dispatch/smtp-sink';
import {
  createClasses,
  createDistrict,
  createSchool,
  createStudent,
  type SchoolFixture,
} from '../roster/fixtures';
import { startTestWeb } from '../support/web';

// The parents' pages end to end through the built app: a test database, the web on a free port
// sending its mails to an SMTP sink, one school with classes and a roster student. Links are
// issued as the inbound server would (createRegistrationToken with a sealed address).

export const PUBLIC_URL = 'http://renraku.test';
export const AUTH_CODE = 'ABCDEFGH';
export const PASSWORD = 'kaigara-hotate-77';
const SECRET_KEY = 'parents-test-secret-key-0123456789abcdef';
export const keys: Keys = deriveKeys(SECRET_KEY);

export interface ParentsContext {
  db: Db;
  base: string;
  sink: Sink;
  districtId: number;
  school: SchoolFixture;
  otherSchool: SchoolFixture;
  /** Classes by "grade:name" (1:1組, 1:2組, 2:1組, 2:2組). */
  classes: Map<string, number>;
  /** The roster student 苫小牧 太郎 in 1年1組, whom registrations should match. */
  studentId: number;
}

/** `env` adds to the web's settings (the push tests' VAPID keys, say). */
export function useParentsWeb(options: { env?: Record<string, string> } = {}): ParentsContext {
  const context = {} as ParentsContext;
  let database: TestDatabase | undefined;
  let close: (() => Promise<void>) | undefined;
  beforeAll(async () => {
    database = await createTestDatabase();
    const db = database.handle.db;
    context.db = db;
    context.sink = await startSink();
    context.districtId = await createDistrict(db);
    context.school = await createSchool(db, context.districtId, { name: '桐園小学校' });
    context.otherSchool = await createSchool(db, context.districtId, {
      name: '光洋中学校',
      kind: 'junior_high',
    });
    context.classes = await createClasses(db, context.school, [1, 2]);
    await createClasses(db, context.otherSchool, [1]);
    const student = await createStudent(db, context.school, {
      classId: context.classes.get('1:1組')!,
      rosterNumber: '101',
      name: '苫小牧 太郎',
      kana: 'トマコマイ タロウ',
    });
    context.studentId = student.id;
    const { web, base } = await startTestWeb(database, {
      env: {
        PUBLIC_URL,
        MAIL_DOMAIN: 'renraku.test',
        SMTP_URL: context.sink.url,
        SECRET_KEY,
        ...options.env,
      },
      logName: 'parents-test',
    });
    context.base = base;
    close = () => web.close();
  });
  afterAll(async () => {
    await close?.();
    await context.sink?.close();
    await database?.drop();
  });
  return context;
}

/** A registration link for `address`, as the inbound server makes it from an empty mail. */
export async function issueLink(
  ctx: ParentsContext,
  address: string,
  schoolId = ctx.school.id,
): Promise<string> {
  const issued = await createRegistrationToken(ctx.db, {
    purpose: 'register',
    schoolId,
    address: sealAddress(keys, address),
    ttlSeconds: 3600,
  });
  return issued.token;
}

/** An add-address confirmation link, as the inbound server mails it to the new address. */
export async function issueConfirmation(
  ctx: ParentsContext,
  registrationId: number,
  address: string,
): Promise<string> {
  const issued = await createRegistrationToken(ctx.db, {
    purpose: 'add_address',
    registrationId,
    address: sealAddress(keys, address),
    ttlSeconds: 3600,
  });
  return issued.token;
}

/** A form post as a browser without JavaScript sends it. */
export function postForm(
  ctx: ParentsContext,
  path: string,
  fields: Record<string, string>,
  cookie?: string,
): Promise<Response> {
  return fetch(`${ctx.base}${path}`, {
    method: 'POST',
    redirect: 'manual',
    headers: {
      accept: 'text/html',
      'content-type': 'application/x-www-form-urlencoded',
      origin: ctx.base,
      ...(cookie ? { cookie } : {}),
    },
    body: new URLSearchParams(fields),
  });
}

export function getPage(ctx: ParentsContext, path: string, cookie?: string): Promise<Response> {
  return fetch(`${ctx.base}${path}`, {
    redirect: 'manual',
    headers: cookie ? { cookie } : {},
  });
}

/** The parent session cookie a response sets, as "name=value". */
export function parentCookie(response: Response): string | undefined {
  const header = response.headers.getSetCookie().find((c) => c.startsWith('renraku_parent='));
  const pair = header?.split(';')[0];
  return pair && pair !== 'renraku_parent=' ? pair : undefined;
}

/** The grant the auth-code step hands to the details form. */
export async function enterAuthCode(ctx: ParentsContext, token: string, code = AUTH_CODE) {
  const response = await postForm(ctx, `/r/${token}/new?/code`, { authCode: code });
  const html = await response.text();
  const grant = /name="grant" value="([^"]+)"/.exec(html)?.[1];
  return { response, html, grant };
}

export interface Details {
  loginId: string;
  password?: string;
  childName?: string;
  childKana?: string;
  grade?: string;
  classId?: string;
  /** 'yes' (the default): register a child the roster lacks as entered; '' to be asked first. */
  confirmUnmatched?: string;
}

/**
 * The details form of a link after the auth code step: `post` sends it with the details of
 * 苫小牧 太郎 of 1年1組 (the roster child) unless `fields` say otherwise.
 */
export async function openDetailsForm(ctx: ParentsContext, token: string) {
  const { grant } = await enterAuthCode(ctx, token);
  if (!grant) throw new Error('the auth code step gave no grant');
  const post = (fields: Record<string, string | undefined>) =>
    postForm(ctx, `/r/${token}/new?/register`, {
      grant,
      password: PASSWORD,
      childName: '苫小牧 太郎',
      childKana: 'とまこまい たろう',
      grade: '1',
      classId: String(ctx.classes.get('1:1組')),
      ...(Object.fromEntries(
        Object.entries(fields).filter((entry) => entry[1] !== undefined),
      ) as Record<string, string>),
    });
  return { token, post };
}

/**
 * Both steps of a new registration; the details default to 苫小牧 太郎 of 1年1組. A child the
 * roster lacks is registered as the parent who confirms it (see confirmUnmatched).
 */
export async function register(ctx: ParentsContext, token: string, details: Details) {
  const { post } = await openDetailsForm(ctx, token);
  const response = await post({ confirmUnmatched: 'yes', ...details });
  return { response, cookie: parentCookie(response) };
}

/** Logs a parent in at /account/login; returns the session cookie. */
export async function logIn(ctx: ParentsContext, loginId: string, password = PASSWORD) {
  const response = await postForm(ctx, '/account/login?/login', { loginId, password });
  return { response, cookie: parentCookie(response) };
}

export function findRegistration(ctx: ParentsContext, loginId: string) {
  return ctx.db.query.registrations.findFirst({
    where: eq(schema.registrations.loginId, loginId),
  });
}

/** The blind indexes of a registration's addresses, in order. */
export async function addressesOf(ctx: ParentsContext, registrationId: number) {
  const rows = await ctx.db
    .select()
    .from(schema.addresses)
    .where(eq(schema.addresses.registrationId, registrationId))
    .orderBy(schema.addresses.position);
  return rows.map((row) => ({
    blindIndex: row.blindIndex,
    role: row.role,
    position: row.position,
  }));
}

export const indexOf = (address: string) => blindIndex(keys, address);

/** The mails the sink got for `to`, parsed; waits (briefly) for at least `count`. */
export async function mailsTo(ctx: ParentsContext, to: string, count = 1): Promise<ParsedMail[]> {
  for (let attempt = 0; attempt < 100; attempt += 1) {
    const raw = ctx.sink.mails.filter((mail) => mail.to === to);
    if (raw.length >= count) return Promise.all(raw.map((mail) => simpleParser(mail.raw)));
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`fewer than ${count} mails arrived for ${to}`);
}
