import {
  countCallListHouseholds,
  findMessageInScope,
  listMessageFailures,
  listMessagePlaces,
  listMessagesInScope,
  messageStateCounts,
  progressBreakdown,
  type FailureRow,
  type MessagePlace,
  type WatchedMessage,
} from '@renraku/db';
import {
  countOf,
  failedOf,
  finalSubject,
  reachedOf,
  type FailureNotice,
  type MessageCategory,
  type MessageState,
  type ProgressFigures,
  scopeFilter,
  type StaffScope,
  type StateCounts,
} from '@renraku/shared';
import type { CoreContext } from '../context';
import { figuresOf } from './figures';
import { registrationStatistics } from '../roster';

// The dashboard's pages: the messages a staff member may watch and the board's overview.
// Every page renders the figures read from PostgreSQL in its load, so that they are right
// without JavaScript or a socket; the socket (server/live/bridge.ts) only makes them move.

/** A failure row as the socket and the page carry it (dates as ISO strings). */
export function failureNoticeOf(row: FailureRow): FailureNotice {
  return { ...row, at: row.at.toISOString() };
}

/** A message as the list and the dashboard show it; serialisable for page data. */
export interface MessageSummary {
  id: number;
  category: MessageCategory;
  /** The final subject, as parents get it (finalSubject). */
  subject: string;
  state: MessageState;
  recipientCount: number;
  senderName: string;
  authorName: string | null;
  createdAt: string;
  scheduledAt: string | null;
  startedAt: string | null;
  finishedAt: string | null;
}

/** One message's figures as the viewer's scope sees them, read when the page was served. */
export interface ScopedFigures {
  messageState: MessageState;
  figures: ProgressFigures;
  /** The latest failures in scope, newest first (as many as a socket snapshot carries). */
  failures: FailureNotice[];
  /** When they were read (ISO): the page says how old they are once live updates stop. */
  readAt: string;
}

/** Failures a page carries from its load, as many as the socket's snapshot. */
const RECENT_FAILURES = 100;

/**
 * A message's figures within the scope: a teacher only their class, a school admin their
 * school. The one reading of the counts the dashboard, the list and the API share.
 */
export async function scopedFigures(
  ctx: Pick<CoreContext, 'db'>,
  scope: StaffScope,
  messageId: number,
): Promise<ScopedFigures | null> {
  const readAt = new Date().toISOString();
  const [breakdown, failures] = await Promise.all([
    progressBreakdown(ctx.db, messageId),
    listMessageFailures(ctx.db, messageId, {
      limit: RECENT_FAILURES,
      filter: scopeFilter(scope),
    }),
  ]);
  if (!breakdown) return null;
  return {
    messageState: breakdown.messageState,
    figures: figuresOf(breakdown.cells, scopeFilter(scope)),
    failures: failures.map(failureNoticeOf),
    readAt,
  };
}

export function summaryOf(message: WatchedMessage): MessageSummary {
  return {
    id: message.id,
    category: message.category,
    subject: finalSubject(message.category, message.subject),
    state: message.state,
    recipientCount: message.recipientCount,
    senderName: message.senderName,
    authorName: message.authorName,
    createdAt: message.createdAt.toISOString(),
    scheduledAt: message.scheduledAt?.toISOString() ?? null,
    startedAt: message.startedAt?.toISOString() ?? null,
    finishedAt: message.finishedAt?.toISOString() ?? null,
  };
}

/** How many recent messages the list shows (each watched live while the list is open). */
export const RECENT_MESSAGES = 30;

/** The recent messages with their counts in scope, so the list is right before any socket. */
export async function recentMessages(
  ctx: CoreContext,
  scope: StaffScope,
): Promise<{ messages: (MessageSummary & { counts: StateCounts })[]; readAt: string }> {
  const readAt = new Date().toISOString();
  const messages = await listMessagesInScope(ctx.db, scopeFilter(scope), RECENT_MESSAGES);
  const counts = new Map(
    (
      await messageStateCounts(
        ctx.db,
        messages.map((message) => message.id),
        scopeFilter(scope),
      )
    ).map((row) => [row.messageId, row.counts]),
  );
  return {
    messages: messages.map((message) => ({
      ...summaryOf(message),
      counts: counts.get(message.id) ?? {},
    })),
    readAt,
  };
}

/** One message for its dashboard: its text and the schools and classes it reached in scope. */
export async function messageForDashboard(
  ctx: CoreContext,
  scope: StaffScope,
  messageId: number,
): Promise<{
  message: MessageSummary & { body: string };
  places: MessagePlace[];
  live: ScopedFigures;
} | null> {
  const message = await findMessageInScope(ctx.db, messageId, scopeFilter(scope));
  if (!message) return null;
  const [places, live] = await Promise.all([
    listMessagePlaces(ctx.db, messageId, scopeFilter(scope)),
    scopedFigures(ctx, scope, messageId),
  ]);
  if (!live) return null;
  return { message: { ...summaryOf(message), body: message.body }, places, live };
}

/**
 * Call-list household counts of the overview's messages, per web process. Counting a call
 * list walks every targeted household (~100 ms for a 30,000-household send), too slow for ten
 * messages on every open of the overview. A count is kept while its message's delivery counts
 * and state are unchanged (every status change moves them: delivery states only go forward)
 * and at most CALL_LIST_COUNT_TTL_MS, which bounds the lag of what deliveries do not show
 * (a parent changing addresses after the send).
 */
const callListCounts = new Map<number, { key: string; households: number; at: number }>();
const CALL_LIST_COUNT_TTL_MS = 60_000;

async function callListCount(
  ctx: CoreContext,
  message: WatchedMessage,
  counts: StateCounts,
  now: number,
): Promise<number> {
  const key = `${message.state}:${JSON.stringify(counts)}`;
  const kept = callListCounts.get(message.id);
  if (kept && kept.key === key && now - kept.at < CALL_LIST_COUNT_TTL_MS) return kept.households;
  const households = await countCallListHouseholds(ctx.db, message.id);
  callListCounts.set(message.id, { key, households, at: now });
  return households;
}

/** How many of the latest messages the board's overview measures. */
const OVERVIEW_MESSAGES = 10;

/** The board's overview: each school's registration rate and how far the latest sends got. */
export async function boardOverview(ctx: CoreContext, scope: StaffScope & { role: 'board' }) {
  const readAt = new Date().toISOString();
  const [schools, messages] = await Promise.all([
    registrationStatistics(ctx.db, scope),
    listMessagesInScope(ctx.db, scopeFilter(scope), OVERVIEW_MESSAGES),
  ]);
  const counts = new Map(
    (
      await messageStateCounts(
        ctx.db,
        messages.map((message) => message.id),
      )
    ).map((row) => [row.messageId, row.counts]),
  );
  const now = Date.now();
  const latest = await Promise.all(
    messages.map(async (message) => {
      const figures = counts.get(message.id) ?? {};
      return {
        ...summaryOf(message),
        counts: figures,
        recipients: countOf(figures),
        reached: reachedOf(figures),
        failed: failedOf(figures),
        callList: await callListCount(ctx, message, figures, now),
      };
    }),
  );
  // Only the messages on the overview stay kept.
  for (const id of callListCounts.keys()) {
    if (!counts.has(id)) callListCounts.delete(id);
  }
  return {
    schools: schools.map(
      ({ schoolId, schoolName, rosterHouseholds, registeredHouseholds, rate }) => ({
        schoolId,
        schoolName,
        rosterHouseholds,
        registeredHouseholds,
        rate,
      }),
    ),
    latest,
    readAt,
  };
}
