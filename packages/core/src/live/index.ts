import {
  confirmationBreakdown,
  confirmationsByMinute,
  countCallListHouseholds,
  findLatestTestMail,
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
  type ConfirmationFigures,
  type ConfirmRequest,
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
import { CONFIRMATION_SERIES_MINUTES, figuresOf } from './figures';
import { confirmationFiguresOf, confirmedOf } from '../confirmation/figures';
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
  /** Its answers in scope when it asks for confirmation (安否確認), else null. */
  confirmation: ConfirmationFigures | null;
  /** Its unconfirmed households joined the call list (the chase's last step). */
  escalated: boolean;
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
  const answers = breakdown.confirms ? await confirmationBreakdown(ctx.db, messageId) : null;
  return {
    messageState: breakdown.messageState,
    figures: figuresOf(breakdown.cells, scopeFilter(scope)),
    failures: failures.map(failureNoticeOf),
    confirmation: answers && confirmationFiguresOf(answers, scopeFilter(scope)),
    escalated: breakdown.escalated,
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

/**
 * Households in scope confirmed by the end of each minute since the send (index = minute),
 * up to the minute of the read: the dashboard's confirmation rate over time.
 */
export interface ConfirmationSeries {
  /** The fan-out (ISO), minute 0's start. */
  sentAt: string;
  confirmed: number[];
}

async function confirmationSeries(
  ctx: Pick<CoreContext, 'db'>,
  scope: StaffScope,
  message: WatchedMessage,
  confirmation: ConfirmationFigures,
  readAt: string,
): Promise<ConfirmationSeries | null> {
  if (!message.fannedOutAt) return null;
  const rows = await confirmationsByMinute(ctx.db, message.id, scopeFilter(scope));
  const elapsed = Math.floor((Date.parse(readAt) - message.fannedOutAt.getTime()) / 60_000);
  const last = Math.min(Math.max(0, elapsed), CONFIRMATION_SERIES_MINUTES - 1);
  const perMinute = Array.from({ length: last + 1 }, () => 0);
  for (const { minute, n } of rows) {
    const at = Math.min(minute, last);
    perMinute[at] = (perMinute[at] ?? 0) + n;
  }
  let sum = 0;
  const confirmed = perMinute.map((n) => (sum += n));
  // The breakdown is the truth of now; the series read a moment apart must not contradict it.
  confirmed[last] = confirmedOf(confirmation.total);
  return { sentAt: message.fannedOutAt.toISOString(), confirmed };
}

/** One message for its dashboard: its text and the schools and classes it reached in scope. */
export async function messageForDashboard(
  ctx: CoreContext,
  scope: StaffScope,
  messageId: number,
): Promise<{
  message: MessageSummary & { body: string; confirm: ConfirmRequest | null };
  places: MessagePlace[];
  live: ScopedFigures;
  series: ConfirmationSeries | null;
} | null> {
  const message = await findMessageInScope(ctx.db, messageId, scopeFilter(scope));
  if (!message) return null;
  const [places, live] = await Promise.all([
    listMessagePlaces(ctx.db, messageId, scopeFilter(scope)),
    scopedFigures(ctx, scope, messageId),
  ]);
  if (!live) return null;
  const series =
    live.confirmation &&
    (await confirmationSeries(ctx, scope, message, live.confirmation, live.readAt));
  return {
    message: { ...summaryOf(message), body: message.body, confirm: message.confirm },
    places,
    live,
    series,
  };
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

/**
 * The latest test mail's answers, per web process: confirmationBreakdown walks every targeted
 * household (~100 ms for a city), too slow for every open of the overview, and a month-old
 * test mail's figures move slowly. Kept TEST_MAIL_TTL_MS.
 */
let testMailAnswers: { messageId: number; figures: ConfirmationFigures; at: number } | null = null;
const TEST_MAIL_TTL_MS = 30_000;

async function testMailFigures(
  ctx: CoreContext,
  messageId: number,
  now: number,
): Promise<ConfirmationFigures> {
  const kept = testMailAnswers;
  if (kept && kept.messageId === messageId && now - kept.at < TEST_MAIL_TTL_MS) {
    return kept.figures;
  }
  const figures = confirmationFiguresOf(await confirmationBreakdown(ctx.db, messageId), {});
  testMailAnswers = { messageId, figures, at: now };
  return figures;
}

/** How many of the latest messages the board's overview measures. */
const OVERVIEW_MESSAGES = 10;

/** The board's overview: each school's registration rate and how far the latest sends got. */
export async function boardOverview(ctx: CoreContext, scope: StaffScope & { role: 'board' }) {
  const readAt = new Date().toISOString();
  const [schools, messages, testMail] = await Promise.all([
    registrationStatistics(ctx.db, scope),
    listMessagesInScope(ctx.db, scopeFilter(scope), OVERVIEW_MESSAGES),
    findLatestTestMail(ctx.db, scope.districtId),
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
  const answers = testMail && (await testMailFigures(ctx, testMail.id, now));
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
      ({ schoolId, schoolName, rosterHouseholds, registeredHouseholds, rate }) => {
        const counts = answers?.bySchool[schoolId];
        return {
          schoolId,
          schoolName,
          rosterHouseholds,
          registeredHouseholds,
          rate,
          // Confirmed of the households the test mail reached (or that answered it); null
          // when it did not reach the school.
          testMail: counts
            ? { confirmed: confirmedOf(counts), reached: confirmedOf(counts) + counts.unconfirmed }
            : null,
        };
      },
    ),
    testMail: testMail && {
      id: testMail.id,
      subject: finalSubject(testMail.category, testMail.subject),
      sentAt: testMail.sentAt.toISOString(),
    },
    latest,
    readAt,
  };
}
