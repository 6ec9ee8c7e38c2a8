import { eq, sql } from 'drizzle-orm';
import { rowsOf, schema, type Db } from '@renraku/db';
import {
  FAILED_DELIVERY_STATES,
  type CallListMarkEvent,
  type ClientToServerEvents,
  type ConfirmationFigures,
  type FailureNotice,
  type ProgressDelta,
  type ProgressFigures,
  type ProgressSnapshot,
  type ServerToClientEvents,
  type StaffScope,
  type StateCounts,
} from '@renraku/shared';
import { hashToken, randomToken } from '@renraku/shared/crypto';
import { io as connectSocket, type Socket } from 'socket.io-client';
import { applyConfirmationDelta, applyDelta, noFigures } from '@renraku/core/live/figures';
import { createDistrict, createStaff } from '../dispatch/fixtures';

// What the live tests share: a web on a test database, staff sessions, socket clients that
// follow the snapshot/delta protocol like the browser does, and the database's own figures
// to compare them with.

export { startTestWeb, type RunningWeb } from '../support/web';

/** A staff API token as /staff/tokens makes it; returns the bearer token. */
export async function apiToken(db: Db, staffUserId: number): Promise<string> {
  const token = `rk_${randomToken()}`;
  await db.insert(schema.apiTokens).values({
    staffUserId,
    name: 'test',
    tokenHash: hashToken(token),
    tokenPrefix: token.slice(0, 8),
  });
  return token;
}

/** A staff session as a login makes it; returns the cookie header value. */
export async function sessionCookie(db: Db, staffUserId: number): Promise<string> {
  const token = randomToken();
  const now = new Date();
  await db.insert(schema.sessions).values({
    kind: 'staff',
    staffUserId,
    idHash: hashToken(token),
    createdAt: now,
    lastSeenAt: now,
    expiresAt: new Date(now.getTime() + 3600_000),
  });
  return `renraku_staff=${token}`;
}

/** A staff member with a session, as a login leaves them: the user and the cookie. */
export async function signedInStaff(
  db: Db,
  districtId: number,
  role: StaffScope['role'],
  displayName: string,
  schoolId: number | null = null,
) {
  const staff = await createStaff(db, districtId, role, displayName, schoolId);
  return { staff, cookie: await sessionCookie(db, staff.id) };
}

/** A new district and its board member, signed in: where a board's test starts. */
export async function districtWithBoard(db: Db) {
  const district = await createDistrict(db);
  return { district, ...(await signedInStaff(db, district.id, 'board', '教育委員会 佐藤')) };
}

export type TestSocket = Socket<ServerToClientEvents, ClientToServerEvents>;

/** A socket as a page of the site opens it: WebSocket, this site's Origin, the cookie. */
export function openSocket(base: string, cookie: string | null, origin = base): TestSocket {
  return connectSocket(base, {
    transports: ['websocket'],
    reconnection: false,
    forceNew: true,
    extraHeaders: { origin, ...(cookie ? { cookie } : {}) },
  });
}

/** Resolves when connected; rejects with the server's refusal. */
export function connected(socket: TestSocket): Promise<void> {
  return new Promise((resolve, reject) => {
    if (socket.connected) return resolve();
    socket.once('connect', () => resolve());
    socket.once('connect_error', (error) => reject(error));
  });
}

export type WatchResult = Parameters<Parameters<ClientToServerEvents['message:watch']>[1]>[0];

export function watchMessage(socket: TestSocket, payload: unknown): Promise<WatchResult> {
  return new Promise((resolve) =>
    socket.emit('message:watch', payload as { messageId: number }, resolve),
  );
}

/**
 * A dashboard's view of one message over one socket, following the protocol exactly as
 * the browser's MessageWatch does: buffer deltas until the snapshot, then apply only those
 * of the snapshot's stream with a greater seq.
 */
export class Dashboard {
  figures: ProgressFigures = noFigures();
  confirmation: ConfirmationFigures | null = null;
  escalated = false;
  failures: FailureNotice[] = [];
  deltas: ProgressDelta[] = [];
  marks: CallListMarkEvent[] = [];
  snapshot: ProgressSnapshot | null = null;
  private seq = 0;
  private buffered: ProgressDelta[] | null = [];

  constructor(
    readonly socket: TestSocket,
    readonly messageId: number,
  ) {
    socket.on('progress:delta', (delta) => {
      this.deltas.push(delta);
      if (delta.messageId !== this.messageId) return;
      if (this.buffered) this.buffered.push(delta);
      else this.apply(delta);
    });
    socket.on('callList:mark', (event) => this.marks.push(event));
  }

  /** Watches and takes the snapshot; the result is the server's answer. */
  async start(): Promise<WatchResult> {
    this.buffered = [];
    const result = await watchMessage(this.socket, { messageId: this.messageId });
    if (!result.ok) return result;
    const snapshot = result.snapshot;
    this.snapshot = snapshot;
    this.seq = snapshot.seq;
    this.figures = {
      total: snapshot.total,
      bySchool: snapshot.bySchool,
      byClass: snapshot.byClass,
      pushed: snapshot.pushed,
    };
    this.confirmation = snapshot.confirmation;
    this.escalated = snapshot.escalated;
    this.failures = [...snapshot.failures];
    const waiting = this.buffered;
    this.buffered = null;
    for (const delta of waiting.sort((a, b) => a.seq - b.seq)) this.apply(delta);
    return result;
  }

  private apply(delta: ProgressDelta): void {
    if (delta.stream !== this.snapshot?.stream || delta.seq <= this.seq) return;
    this.seq = delta.seq;
    applyDelta(this.figures, delta);
    if (delta.confirmation && this.confirmation) {
      applyConfirmationDelta(this.confirmation, delta.confirmation);
    }
    if (delta.escalated) this.escalated = true;
    this.failures.unshift(...delta.failures);
  }
}

/** The database's figures for a scope, computed independently of the web's code. */
export async function databaseFigures(
  db: Db,
  messageId: number,
  scope: StaffScope,
): Promise<ProgressFigures> {
  const where =
    scope.role === 'board'
      ? sql``
      : scope.role === 'school_admin'
        ? sql`and school_id = ${scope.schoolId}`
        : sql`and class_id = ${scope.classId}`;
  const rows = rowsOf<{
    schoolId: number;
    classId: number;
    channel: string;
    state: keyof StateCounts;
    n: number;
  }>(
    await db.execute(sql`select school_id as "schoolId", class_id as "classId", channel, state,
      count(*)::int as n from deliveries where message_id = ${messageId} ${where}
      group by 1, 2, 3, 4`),
  );
  const figures = noFigures();
  for (const { schoolId, classId, channel, state, n } of rows) {
    figures.total[state] = (figures.total[state] ?? 0) + n;
    if (channel === 'push') figures.pushed[state] = (figures.pushed[state] ?? 0) + n;
    const school = (figures.bySchool[schoolId] ??= {});
    school[state] = (school[state] ?? 0) + n;
    const klass = (figures.byClass[classId] ??= {});
    klass[state] = (klass[state] ?? 0) + n;
  }
  return figures;
}

/** Failed or bounced deliveries of a message in a scope, by id. */
export async function databaseFailureIds(db: Db, messageId: number): Promise<number[]> {
  const rows = await db
    .select({ id: schema.deliveries.id, state: schema.deliveries.state })
    .from(schema.deliveries)
    .where(eq(schema.deliveries.messageId, messageId));
  return rows
    .filter((row) => (FAILED_DELIVERY_STATES as readonly string[]).includes(row.state))
    .map((row) => row.id)
    .sort((a, b) => a - b);
}

/** Gives a teacher the class they teach (the dispatch fixtures make staff without one). */
export async function assignClass(db: Db, staffUserId: number, classId: number): Promise<void> {
  await db.update(schema.staffUsers).set({ classId }).where(eq(schema.staffUsers.id, staffUserId));
}
