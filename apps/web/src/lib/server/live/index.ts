import {
  countCallListHouseholds,
  findMessageInScope,
  listMessagePlaces,
  listMessagesInScope,
  messageReach,
  type FailureRow,
  type MessagePlace,
  type WatchedMessage,
} from '@renraku/db';
import type { FailureNotice, MessageCategory, MessageState, StaffScope } from '@renraku/shared';
import type { WebContext } from '../../../../server/context';
import { callListFilterOf } from '../call-list';
import { registrationStatistics } from '../roster/statistics';

// The dashboard's pages: the messages a staff member may watch and the board's overview.
// The live figures themselves come over the socket (server/live/bridge.ts).
// Loaded by the Express server as well as by SvelteKit: relative imports only.

/** A failure row as the socket and the page carry it (dates as ISO strings). */
export function failureNoticeOf(row: FailureRow): FailureNotice {
  return { ...row, at: row.at.toISOString() };
}

/** A message as the list and the dashboard show it; serialisable for page data. */
export interface MessageSummary {
  id: number;
  category: MessageCategory;
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

export function summaryOf(message: WatchedMessage): MessageSummary {
  return {
    id: message.id,
    category: message.category,
    subject: message.subject,
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

export async function recentMessages(
  ctx: WebContext,
  scope: StaffScope,
): Promise<MessageSummary[]> {
  return (await listMessagesInScope(ctx.db, scope, RECENT_MESSAGES)).map(summaryOf);
}

/** One message for its dashboard: its text and the schools and classes it reached in scope. */
export async function messageForDashboard(
  ctx: WebContext,
  scope: StaffScope,
  messageId: number,
): Promise<{ message: MessageSummary & { body: string }; places: MessagePlace[] } | null> {
  const message = await findMessageInScope(ctx.db, messageId, scope);
  if (!message) return null;
  return {
    message: { ...summaryOf(message), body: message.body },
    places: await listMessagePlaces(ctx.db, messageId, callListFilterOf(scope)),
  };
}

/** How many of the latest messages the board's overview measures. */
const OVERVIEW_MESSAGES = 10;

/** The board's overview: each school's registration rate and how far the latest sends got. */
export async function boardOverview(ctx: WebContext, scope: StaffScope & { role: 'board' }) {
  const [schools, messages] = await Promise.all([
    registrationStatistics(ctx.db, scope),
    listMessagesInScope(ctx.db, scope, OVERVIEW_MESSAGES),
  ]);
  const reach = new Map(
    (
      await messageReach(
        ctx.db,
        messages.map((message) => message.id),
      )
    ).map((row) => [row.messageId, row]),
  );
  const latest = [];
  for (const message of messages) {
    const figures = reach.get(message.id);
    latest.push({
      ...summaryOf(message),
      recipients: figures?.recipients ?? 0,
      reached: figures?.reached ?? 0,
      failed: figures?.failed ?? 0,
      callList: await countCallListHouseholds(ctx.db, message.id),
    });
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
  };
}
