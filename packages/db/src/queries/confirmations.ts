import { sql, type SQL } from 'drizzle-orm';
import {
  CONFIRM_OPEN_DAYS,
  REACHED_DELIVERY_STATES,
  type ConfirmChannel,
  type ConfirmRequest,
  type FilledVariants,
  type MessageCategory,
  type MessagePart,
  type TemplateLanguage,
} from '@renraku/shared';
import { dateOf, rowsOf, type Db, type Tx } from '../client';
import { answeredMessageOf } from '../answered-sql';
import { registrationDevices } from '../device-sql';
import { partConditions } from '../scope-sql';
import { messageAttachmentsColumn, type ListedAttachment } from './attachments';
import { targetedChildren, type CallListChild } from './call-list';
import { schoolOrder } from './schools';

// 安否確認: families' answers to a message that asks for confirmation. A delivery's link or
// reply address confirms every targeted household its address serves: the households whose
// children's registrations hold an address with the delivery's blind index (the call list's
// matching). A re-send (messages.resend_of) confirms the message it chases.

/** Whether the message `m` (an alias) asks for confirmation and still takes answers. */
export function takesAnswers(m: SQL): SQL {
  return sql`${m}.confirm is not null
    and ${m}.fanned_out_at > now() - make_interval(days => ${CONFIRM_OPEN_DAYS})`;
}

/** The message a delivery's answer counts for, while it still takes answers. */
function askingMessage(delivery: SQL): SQL {
  return sql`select d.id as delivery_id, d.message_id as mailed_message_id, d.blind_index,
      root.id as message_id, root.confirm, root.confirm_deadline_at
    from deliveries d
    join messages m on m.id = d.message_id
    join messages root on root.id = coalesce(m.resend_of, m.id)
    where d.id = ${delivery} and ${takesAnswers(sql`root`)}`;
}

/** The targeted households (and their children) a delivery's address serves. */
function servedStudents(asked: SQL): SQL {
  return sql`select ms.household_id, ms.student_id, r.child_name
    from ${registrationDevices} ad
    join registrations r on r.id = ad.registration_id
    join message_students ms on ms.message_id = ${asked}.mailed_message_id
      and ms.student_id = r.student_id
    where ad.blind_index = ${asked}.blind_index`;
}

/** One answer as a link's POST or a reply mail brings it. */
export interface ConfirmationTap {
  deliveryId: number;
  choice: number;
  channel: ConfirmChannel;
  /** A reply's own words, already cut and scrubbed; null for a tap. */
  replyWords: string | null;
}

/** What became of one tap of a batch. */
export type TapOutcome =
  /** No such delivery, its message asks nothing, or it no longer takes answers. */
  | { kind: 'unknown' }
  | { kind: 'out_of_range'; messageId: number }
  | {
      kind: 'recorded';
      messageId: number;
      /** Households it confirmed (0 when the address was withdrawn since the send). */
      households: number;
      /** The answer it replaced, null for a first answer. */
      previousChoice: number | null;
      late: boolean;
      /** The children it answered for, as their parents registered them (the page shows them). */
      children: string[];
    };

/**
 * Records a batch of answers in one statement, so that a burst of taps costs one round trip
 * per batch, not one per tap. Per household the last answer wins, within the batch (by its
 * order) and over earlier ones; a reply's words stay when a later tap changes the choice.
 * Outcomes come back in the taps' order.
 */
export async function recordConfirmations(
  db: Db | Tx,
  taps: readonly ConfirmationTap[],
): Promise<TapOutcome[]> {
  if (taps.length === 0) return [];
  const column = <T>(pick: (tap: ConfirmationTap) => T) => sql.param(taps.map(pick));
  const rows = rowsOf<{
    ord: number;
    messageId: number | null;
    inRange: boolean | null;
    households: number;
    previousChoice: number | null;
    late: boolean | null;
    children: string[];
  }>(
    await db.execute(sql`
      with taps as (
        select * from unnest(
          ${column((tap) => tap.deliveryId)}::bigint[],
          ${column((tap) => tap.choice)}::smallint[],
          ${column((tap) => tap.channel)}::confirm_channel[],
          ${column((tap) => tap.replyWords)}::text[]
        ) with ordinality as t(delivery_id, choice, channel, words, ord)
      ),
      asked as (
        select t.*, a.mailed_message_id, a.blind_index, a.message_id,
          t.choice between 0 and jsonb_array_length(a.confirm->'choices') as in_range,
          coalesce(now() > a.confirm_deadline_at, false) as late
        from taps t
        cross join lateral (${askingMessage(sql`t.delivery_id`)}) a
      ),
      served_students as (
        select asked.ord, asked.message_id, s.household_id, s.child_name
        from asked cross join lateral (${servedStudents(sql`asked`)}) s
        where asked.in_range
      ),
      served as (select distinct ord, message_id, household_id from served_students),
      latest as (
        select distinct on (s.message_id, s.household_id) s.message_id, s.household_id,
          a.delivery_id, a.choice, a.channel, a.words, a.late
        from served s join asked a on a.ord = s.ord
        order by s.message_id, s.household_id, s.ord desc
      ),
      previous as (
        select c.message_id, c.household_id, c.choice from confirmations c
        join latest l on l.message_id = c.message_id and l.household_id = c.household_id
      ),
      written as (
        insert into confirmations (message_id, household_id, delivery_id, choice, channel, late,
          reply_words)
        select message_id, household_id, delivery_id, choice, channel, late, words from latest
        on conflict (message_id, household_id) do update set
          delivery_id = excluded.delivery_id, choice = excluded.choice,
          channel = excluded.channel, late = excluded.late,
          reply_words = coalesce(excluded.reply_words, confirmations.reply_words),
          confirmed_at = now()
        returning 1
      )
      select t.ord::int, a.message_id as "messageId", a.in_range as "inRange", a.late,
        (select count(*)::int from served s where s.ord = t.ord) as households,
        coalesce((select array_agg(distinct ss.child_name order by ss.child_name)
          from served_students ss where ss.ord = t.ord), '{}') as children,
        (select max(p.choice) from previous p join served s on s.message_id = p.message_id
          and s.household_id = p.household_id where s.ord = t.ord) as "previousChoice"
      from taps t left join asked a on a.ord = t.ord
      order by t.ord
    `),
  );
  return rows.map((row): TapOutcome => {
    if (row.messageId === null) return { kind: 'unknown' };
    if (!row.inRange) return { kind: 'out_of_range', messageId: row.messageId };
    return {
      kind: 'recorded',
      messageId: row.messageId,
      households: row.households,
      previousChoice: row.previousChoice,
      late: row.late ?? false,
      children: row.children,
    };
  });
}

/** A confirming message as every family's page shows it. */
export interface ConfirmationMessage {
  messageId: number;
  category: MessageCategory;
  subject: string;
  body: string;
  /** The school's name, or the board's (district's) for a board send. */
  senderName: string;
  authorName: string | null;
  sentAt: Date;
  deadlineAt: Date | null;
  confirm: ConfirmRequest;
  attachments: ListedAttachment[];
  /** A template message's filled text per language; null for a free (Japanese only) one. */
  variants: FilledVariants | null;
}

/** What a family's personal page shows: the message, its children and their answer. */
export interface ConfirmationPage extends ConfirmationMessage {
  deliveryId: number;
  /** The children the mail concerns, as their parents registered them. */
  children: string[];
  /** The household's current answer, if any of its addresses answered. */
  answer: { choice: number; confirmedAt: Date; late: boolean } | null;
  /** The language of the registration the delivery's address or device belongs to. */
  language: TemplateLanguage;
}

/** The message's columns as its page shows them, from `messageFrom`. */
export const messageColumns = sql`m.id as "messageId", m.category, m.subject, m.body,
  coalesce(sc.name, di.name) as "senderName", u.display_name as "authorName",
  m.fanned_out_at as "sentAt", m.confirm_deadline_at as "deadlineAt", m.confirm, m.variants,
  ${messageAttachmentsColumn}`;
export const messageFrom = sql`messages m
  join districts di on di.id = m.district_id
  left join schools sc on sc.id = m.school_id
  left join staff_users u on u.id = m.author_id`;

export type MessageRow = Omit<ConfirmationMessage, 'sentAt' | 'deadlineAt'> & {
  sentAt: Date | string;
  deadlineAt: Date | string | null;
};

export function toMessage<Row extends MessageRow>(row: Row) {
  return {
    ...row,
    sentAt: dateOf(row.sentAt),
    deadlineAt: dateOf(row.deadlineAt),
  };
}

/**
 * A confirming message as its pages show it. The same for each of its families, so the web
 * keeps it to answer a tap without reading it again.
 */
export async function findConfirmationMessage(
  db: Db | Tx,
  messageId: number,
): Promise<ConfirmationMessage | null> {
  const [row] = rowsOf<MessageRow>(
    await db.execute(sql`select ${messageColumns} from ${messageFrom}
      where m.id = ${messageId} and m.confirm is not null`),
  );
  return row ? toMessage(row) : null;
}

/** A delivery's page, or null when the delivery asks nothing (any more). Never an address. */
export async function findConfirmationPage(
  db: Db | Tx,
  deliveryId: number,
): Promise<ConfirmationPage | null> {
  const [row] = rowsOf<
    MessageRow & {
      deliveryId: number;
      children: string[];
      answer: { choice: number; confirmedAt: string; late: boolean } | null;
      language: TemplateLanguage;
    }
  >(
    await db.execute(sql`
      with asked as (${askingMessage(sql`${deliveryId}::bigint`)}),
      served as (select s.* from asked cross join lateral (${servedStudents(sql`asked`)}) s)
      select asked.delivery_id::int as "deliveryId", ${messageColumns},
        coalesce((select array_agg(distinct child_name order by child_name) from served),
          '{}') as children,
        (select json_build_object('choice', c.choice, 'confirmedAt', c.confirmed_at,
            'late', c.late)
          from confirmations c
          where c.message_id = asked.message_id
            and c.household_id in (select household_id from served)
          order by c.confirmed_at desc limit 1) as answer,
        coalesce((select r.language from deliveries d
          left join addresses a on a.id = d.address_id
          left join push_subscriptions p on p.id = d.push_subscription_id
          join registrations r on r.id = coalesce(a.registration_id, p.registration_id)
          where d.id = asked.delivery_id), 'ja') as language
      from ${messageFrom}
      join asked on asked.message_id = m.id
    `),
  );
  if (!row) return null;
  return {
    ...toMessage(row),
    answer: row.answer && { ...row.answer, confirmedAt: dateOf(row.answer.confirmedAt) },
  };
}

/**
 * One cell of a message's confirmation figures: households of a school (classId null) or of a
 * class with one answer, or reached and unanswered (answer null). A household counts once in
 * its school and once in each class of its targeted children, so school cells are not sums of
 * class cells.
 */
export interface ConfirmationCell {
  schoolId: number;
  classId: number | null;
  answer: number | null;
  n: number;
}

/** The targeted households a mail or push of the message reached (REACHED_DELIVERY_STATES). */
function reachedHouseholds(messageId: number): SQL {
  return sql`select distinct ms.household_id from message_students ms
    join registrations r on r.student_id = ms.student_id
    join ${registrationDevices} a on a.registration_id = r.id
    join deliveries d on d.message_id = ${messageId} and d.blind_index = a.blind_index
    where ms.message_id = ${messageId} and d.state in ${[...REACHED_DELIVERY_STATES]}`;
}

/**
 * The households a mail of the message reached, for a reader that re-reads the answers
 * often (the live dashboard during a burst of taps): this set moves only with the deliveries,
 * and finding it is most of confirmationBreakdown's time.
 */
export async function listReachedHouseholds(db: Db | Tx, messageId: number): Promise<number[]> {
  return rowsOf<{ household_id: number }>(await db.execute(reachedHouseholds(messageId))).map(
    (row) => row.household_id,
  );
}

/**
 * The confirmation figures of a message: households that answered, by answer, and households
 * a mail reached that have not answered (未確認), at school and class level. `reached` is
 * listReachedHouseholds's answer when the caller keeps it; without it, it is read here.
 */
export async function confirmationBreakdown(
  db: Db | Tx,
  messageId: number,
  reached?: readonly number[],
): Promise<ConfirmationCell[]> {
  const reachedSet = reached
    ? sql`select unnest(${sql.param([...reached])}::int[]) as household_id`
    : reachedHouseholds(messageId);
  return rowsOf<ConfirmationCell>(
    await db.execute(sql`
      with places as (
        select distinct household_id, school_id, class_id from message_students
        where message_id = ${messageId}
      ),
      reached as (${reachedSet}),
      counted as (
        select p.household_id, p.school_id, p.class_id, c.choice as answer
        from places p
        left join confirmations c on c.message_id = ${answeredMessageOf(messageId)}
          and c.household_id = p.household_id
        where c.choice is not null or p.household_id in (select household_id from reached)
      )
      select school_id as "schoolId", class_id as "classId", answer, count(*)::int as n
      from counted group by school_id, class_id, answer
      union all
      select school_id, null, answer, count(distinct household_id)::int
      from counted group by school_id, answer
    `),
  );
}

/** A household that answered, as the answers list and its CSV show it. Never an address. */
export interface ConfirmedHousehold {
  householdId: number;
  schoolId: number;
  schoolName: string;
  /** Every targeted child of the household, youngest grade first. */
  children: CallListChild[];
  choice: number;
  channel: ConfirmChannel;
  late: boolean;
  /** A reply's own words as the inbound server kept them (cut and scrubbed). */
  replyWords: string | null;
  firstConfirmedAt: Date;
  confirmedAt: Date;
}

/**
 * The households that answered the message, within the filter (a household is in a part
 * when one of its targeted children is), in the board's order of schools.
 */
export async function listConfirmedHouseholds(
  db: Db | Tx,
  messageId: number,
  filter: MessagePart = {},
): Promise<ConfirmedHousehold[]> {
  const rows = rowsOf<
    Omit<ConfirmedHousehold, 'firstConfirmedAt' | 'confirmedAt'> & {
      firstConfirmedAt: Date | string;
      confirmedAt: Date | string;
    }
  >(
    await db.execute(sql`
      select h.id as "householdId", h.school_id as "schoolId", sc.name as "schoolName",
        ${targetedChildren(messageId, sql`h.id`)} as children,
        c.choice, c.channel, c.late, c.reply_words as "replyWords",
        c.first_confirmed_at as "firstConfirmedAt", c.confirmed_at as "confirmedAt"
      from confirmations c
      join households h on h.id = c.household_id
      join schools sc on sc.id = h.school_id
      where c.message_id = ${answeredMessageOf(messageId)} and exists (
        select 1 from message_students ms
        where ms.message_id = ${messageId} and ms.household_id = c.household_id
          ${partConditions(filter, sql`ms.school_id`, sql`ms.class_id`)})
      order by ${schoolOrder('sc')}, h.id
    `),
  );
  return rows.map((row) => ({
    ...row,
    children: row.children ?? [],
    firstConfirmedAt: dateOf(row.firstConfirmedAt),
    confirmedAt: dateOf(row.confirmedAt),
  }));
}

/**
 * The households of a part (a scope's) that first confirmed in each minute since the send
 * (minute 0 = the first minute after fan-out), in order; minutes without one are absent.
 * The dashboard's confirmation rate over time is its running sum.
 */
export async function confirmationsByMinute(
  db: Db | Tx,
  messageId: number,
  filter: MessagePart = {},
): Promise<{ minute: number; n: number }[]> {
  return rowsOf<{ minute: number; n: number }>(
    await db.execute(sql`
      select greatest(0, floor(extract(epoch from c.first_confirmed_at - m.fanned_out_at) / 60))::int
          as minute,
        count(*)::int as n
      from confirmations c
      join messages m on m.id = ${messageId}
      where c.message_id = ${answeredMessageOf(messageId)}
        and exists (select 1 from message_students ms
          where ms.message_id = ${messageId} and ms.household_id = c.household_id
            ${partConditions(filter, sql`ms.school_id`, sql`ms.class_id`)})
      group by 1 order by 1
    `),
  );
}

/**
 * The district's latest test mail: the newest fanned-out message of a schedule (the board's
 * monthly test) that asks for confirmation. Its non-confirmers are each school's families to
 * check. Null when there is none yet.
 */
export async function findLatestTestMail(
  db: Db | Tx,
  districtId: number,
): Promise<{ id: number; category: MessageCategory; subject: string; sentAt: Date } | null> {
  const [row] = rowsOf<{
    id: number;
    category: MessageCategory;
    subject: string;
    sentAt: Date | string;
  }>(
    await db.execute(sql`
      select id, category, subject, fanned_out_at as "sentAt" from messages
      where district_id = ${districtId} and schedule_id is not null and confirm is not null
        and resend_of is null and fanned_out_at is not null
      order by fanned_out_at desc, id desc limit 1
    `),
  );
  return row ? { ...row, sentAt: dateOf(row.sentAt) } : null;
}
