import { sql, type SQL } from 'drizzle-orm';
import {
  FAILED_DELIVERY_STATES,
  type ConfirmRequest,
  type CountCell,
  type DeliveryState,
  type FailureReason,
  type MessageCategory,
  type MessagePart,
  type MessageState,
  type MessageTarget,
  type ScopeFilter,
  type StateCounts,
} from '@renraku/shared';
import { dateOf, rowsOf, type Db, type Tx } from '../client';
import { partConditions } from '../scope-sql';
import { schoolOrder } from './schools';

// What the live dashboard reads from PostgreSQL: which messages a staff member may watch, the
// counts of a message by school, class and state, and its failures as staff may see them.

/**
 * Whether message `m` concerns the scope: the board sees its whole district; a school admin
 * the messages its school sent or that reach its school; a teacher those that reach the class.
 * "Reach" is the fan-out's roster snapshot, or the target itself before a scheduled fan-out.
 */
function messageInScope(filter: ScopeFilter): SQL {
  const district = sql`m.district_id = ${filter.districtId}`;
  if (filter.classId !== undefined) {
    return sql`${district} and (exists (select 1 from message_students ms
        where ms.message_id = m.id and ms.class_id = ${filter.classId})
      or (m.fanned_out_at is null and m.target->'classIds' @> to_jsonb(${filter.classId}::int)))`;
  }
  if (filter.schoolId !== undefined) {
    return sql`${district} and (m.school_id = ${filter.schoolId}
      or exists (select 1 from message_students ms
        where ms.message_id = m.id and ms.school_id = ${filter.schoolId})
      or (m.fanned_out_at is null and (m.target->>'kind' = 'district'
        or m.target->'schoolIds' @> to_jsonb(${filter.schoolId}::int)
        or (m.target->>'schoolId')::int = ${filter.schoolId})))`;
  }
  return district;
}

/** A message as the dashboard and the call list head it. */
export interface WatchedMessage {
  id: number;
  districtId: number;
  category: MessageCategory;
  subject: string;
  body: string;
  target: MessageTarget;
  state: MessageState;
  recipientCount: number;
  authorName: string | null;
  senderName: string;
  createdAt: Date;
  scheduledAt: Date | null;
  startedAt: Date | null;
  finishedAt: Date | null;
  /** 安否確認: what families are asked, null when nothing. */
  confirm: ConfirmRequest | null;
  fannedOutAt: Date | null;
}

const watchedColumns = sql`m.id, m.district_id as "districtId", m.category, m.subject, m.body,
  m.target, m.state, m.recipient_count as "recipientCount", u.display_name as "authorName",
  coalesce(s.name, dt.name) as "senderName", m.created_at as "createdAt",
  m.scheduled_at as "scheduledAt", m.started_at as "startedAt", m.finished_at as "finishedAt",
  m.confirm, m.fanned_out_at as "fannedOutAt"`;

const watchedFrom = sql`messages m
  join districts dt on dt.id = m.district_id
  left join schools s on s.id = m.school_id
  left join staff_users u on u.id = m.author_id`;

type WatchedRow = Omit<
  WatchedMessage,
  'createdAt' | 'scheduledAt' | 'startedAt' | 'finishedAt' | 'fannedOutAt'
> & {
  createdAt: Date | string;
  fannedOutAt: Date | string | null;
  scheduledAt: Date | string | null;
  startedAt: Date | string | null;
  finishedAt: Date | string | null;
};

function toWatched(row: WatchedRow): WatchedMessage {
  return {
    ...row,
    createdAt: dateOf(row.createdAt),
    scheduledAt: dateOf(row.scheduledAt),
    startedAt: dateOf(row.startedAt),
    finishedAt: dateOf(row.finishedAt),
    fannedOutAt: dateOf(row.fannedOutAt),
  };
}

/** The message, if the scope may watch it; null for a message of another school or class. */
export async function findMessageInScope(
  db: Db | Tx,
  messageId: number,
  scope: ScopeFilter,
): Promise<WatchedMessage | null> {
  const [row] = rowsOf<WatchedRow>(
    await db.execute(sql`select ${watchedColumns} from ${watchedFrom}
      where m.id = ${messageId} and ${messageInScope(scope)}`),
  );
  return row ? toWatched(row) : null;
}

/** The newest messages the scope may watch, newest first, drafts excluded. */
export async function listMessagesInScope(
  db: Db | Tx,
  scope: ScopeFilter,
  limit: number,
  /** Only messages older than this one (a page's cursor); none if it is not in scope. */
  before?: number,
): Promise<WatchedMessage[]> {
  const after =
    before === undefined
      ? sql`true`
      : sql`(m.created_at, m.id) < (select m.created_at, m.id from messages m
          where m.id = ${before} and ${messageInScope(scope)})`;
  const rows = rowsOf<WatchedRow>(
    await db.execute(sql`select ${watchedColumns} from ${watchedFrom}
      where m.state <> 'draft' and ${messageInScope(scope)} and ${after}
      order by m.created_at desc, m.id desc limit ${limit}`),
  );
  return rows.map(toWatched);
}

/**
 * A message's state and its deliveries counted by school, class, channel and state: one grouped
 * scan of the message's deliveries, the whole truth the dashboard's figures derive from.
 */
export async function progressBreakdown(
  db: Db | Tx,
  messageId: number,
): Promise<{
  messageState: MessageState;
  cells: CountCell[];
  /** It asks for confirmation: its answers are read too (confirmationBreakdown). */
  confirms: boolean;
  /** Its unconfirmed households joined the call list. */
  escalated: boolean;
} | null> {
  const [message] = rowsOf<{ state: MessageState; confirms: boolean; escalated: boolean }>(
    await db.execute(sql`select state, confirm is not null as confirms,
      escalated_at is not null as escalated from messages where id = ${messageId}`),
  );
  if (!message) return null;
  const cells = rowsOf<CountCell>(
    await db.execute(sql`
      select school_id as "schoolId", class_id as "classId", channel, state, count(*)::int as n
      from deliveries where message_id = ${messageId}
      group by school_id, class_id, channel, state
    `),
  );
  return {
    messageState: message.state,
    cells,
    confirms: message.confirms,
    escalated: message.escalated,
  };
}

/** A message's figures as the API and the dashboard report them. */
export interface MessageProgress {
  messageId: number;
  messageState: MessageState;
  /** Deliveries created (the recipient count once fanned out). */
  total: number;
  counts: StateCounts;
}

/** The breakdown summed over places: one count of a message's deliveries, not a second one. */
export async function progressCounts(
  db: Db | Tx,
  messageId: number,
): Promise<MessageProgress | null> {
  const breakdown = await progressBreakdown(db, messageId);
  if (!breakdown) return null;
  const counts: StateCounts = {};
  let total = 0;
  for (const cell of breakdown.cells) {
    counts[cell.state] = (counts[cell.state] ?? 0) + cell.n;
    total += cell.n;
  }
  return { messageId, messageState: breakdown.messageState, total, counts };
}

/** A failed delivery as staff may see it: never the address, nor the relay's reply text. */
export interface FailureRow {
  deliveryId: number;
  studentName: string | null;
  schoolId: number | null;
  classId: number | null;
  className: string | null;
  reason: FailureReason;
  code: number | null;
  at: Date;
}

/**
 * Failures of a message not among `seenIds`, newest first. The child is the one whose
 * registration holds the address (or the siblings the mail named); the class is where the
 * delivery is counted.
 */
export async function listMessageFailures(
  db: Db | Tx,
  messageId: number,
  options: { seenIds?: number[]; limit: number; filter?: MessagePart },
): Promise<FailureRow[]> {
  const unseen =
    options.seenIds && options.seenIds.length > 0
      ? sql`and not (d.id = any(${sql.param(options.seenIds)}::bigint[]))`
      : sql``;
  const rows = rowsOf<
    Omit<FailureRow, 'deliveryId' | 'at'> & { deliveryId: string | number; at: Date | string }
  >(
    await db.execute(sql`
      select d.id as "deliveryId",
        coalesce(array_to_string(d.child_names, '・'), st.name, r.child_name) as "studentName",
        d.school_id as "schoolId", d.class_id as "classId",
        case when c.id is null then null else c.grade || '年' || c.name end as "className",
        case
          when d.state = 'bounced' then 'bounced'
          when d.attempts = 0 then 'unsendable'
          when d.reply_code between 500 and 599 then 'rejected'
          else 'retries_exhausted'
        end as reason,
        d.reply_code as code,
        coalesce(d.finished_at, d.updated_at) as at
      from deliveries d
      left join addresses a on a.id = d.address_id
      left join registrations r on r.id = a.registration_id
      left join students st on st.id = r.student_id
      left join classes c on c.id = d.class_id
      where d.message_id = ${messageId} and d.state in ${[...FAILED_DELIVERY_STATES]} ${unseen}
        ${deliveryFilterOf(options.filter ?? {})}
      order by coalesce(d.finished_at, d.updated_at) desc, d.id desc
      limit ${options.limit}
    `),
  );
  return rows.map((row) => ({
    ...row,
    deliveryId: Number(row.deliveryId),
    at: dateOf(row.at),
  }));
}

/** The part of a message's deliveries a viewer sees: a school's, or a class's. */
function deliveryFilterOf(filter: MessagePart): SQL {
  return partConditions(filter, sql`d.school_id`, sql`d.class_id`);
}

/** One message's deliveries by state within a filter: what lists and the overview show. */
export interface MessageStateCounts {
  messageId: number;
  counts: StateCounts;
}

/**
 * The counts by state of several messages in one grouped scan of the (message, state) index.
 * Reached, failed and pending are derived from them by @renraku/shared, never here.
 */
export async function messageStateCounts(
  db: Db | Tx,
  messageIds: number[],
  filter: MessagePart = {},
): Promise<MessageStateCounts[]> {
  if (messageIds.length === 0) return [];
  const rows = rowsOf<{ messageId: number; state: DeliveryState; n: number }>(
    await db.execute(sql`
      select d.message_id as "messageId", d.state, count(*)::int as n
      from deliveries d where d.message_id in ${messageIds} ${deliveryFilterOf(filter)}
      group by d.message_id, d.state
    `),
  );
  const byMessage = new Map<number, StateCounts>(messageIds.map((id) => [id, {}]));
  for (const row of rows) {
    const counts = byMessage.get(row.messageId);
    if (counts) counts[row.state] = row.n;
  }
  return [...byMessage].map(([messageId, counts]) => ({ messageId, counts }));
}

/** A school and class a message reached, named for the dashboard's bars. */
export interface MessagePlace {
  schoolId: number;
  schoolName: string;
  classId: number;
  grade: number;
  className: string;
}

/** The classes the message targeted within a school or class (the viewer's part), in order. */
export async function listMessagePlaces(
  db: Db | Tx,
  messageId: number,
  filter: MessagePart = {},
): Promise<MessagePlace[]> {
  return rowsOf<MessagePlace>(
    await db.execute(sql`
      select c.school_id as "schoolId", s.name as "schoolName", c.id as "classId", c.grade,
        c.name as "className"
      from classes c join schools s on s.id = c.school_id
      where c.id in (select distinct class_id from message_students where message_id = ${messageId})
        ${partConditions(filter, sql`c.school_id`, sql`c.id`)}
      order by ${schoolOrder('s')}, c.grade, c.sort_order, c.name
    `),
  );
}
