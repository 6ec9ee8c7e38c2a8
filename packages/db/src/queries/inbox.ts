import { sql, type SQL } from 'drizzle-orm';
import type { ConfirmRequest } from '@renraku/shared';
import { dateOf, rowsOf, type Db, type Tx } from '../client';
import { registrationDevices } from '../device-sql';
import {
  messageColumns,
  messageFrom,
  takesAnswers,
  type ConfirmationMessage,
  type ConfirmationPage,
} from './confirmations';

// The parent's inbox (/account/inbox): every message the fan-out's roster snapshot
// (message_students) gave the signed-in registration's household since the registration was
// made, so a family whose mail was filtered can still read it. Re-sends (【再送】) are the
// message they chase and are not listed again. A registration no roster student matches has no
// household yet, and so no inbox until the school matches it.

/** A message as the inbox lists it, as its link's page would show it. Never an address. */
export interface InboxMessage
  extends
    Omit<ConfirmationMessage, 'confirm'>,
    Pick<ConfirmationPage, 'children' | 'answer' | 'language'> {
  /** What the message asks each family; null when it asks nothing. */
  confirm: ConfirmRequest | null;
  /** The message asks for confirmation and still takes answers. */
  takesAnswers: boolean;
  /**
   * The delivery an answer from the inbox records through (a mail of the message, or of its
   * re-send, to an address of the household's children); null when the message takes no
   * answers (any more) or no mail of it serves the household.
   */
  answerDeliveryId: number | null;
}

/** The signed-in registration, its household and when it was made, as a CTE `me`. */
function me(registrationId: number): SQL {
  return sql`select r.district_id, r.created_at, s.household_id, r.language
    from registrations r join students s on s.id = r.student_id
    where r.id = ${registrationId}`;
}

/** The inbox's messages (`m`), for a query that has `me`. */
const inInbox = sql`m.district_id = (select district_id from me) and m.resend_of is null
  and m.fanned_out_at >= (select created_at from me)
  and exists (select 1 from message_students ms
    where ms.message_id = m.id and ms.household_id = (select household_id from me))`;

/** A mail of the message `m` (or of a re-send of it) that serves the household of `me`. */
const answerDelivery = sql`case when ${takesAnswers(sql`m`)} then (
    select d.id from deliveries d
    join messages dm on dm.id = d.message_id and coalesce(dm.resend_of, dm.id) = m.id
    where d.blind_index in (select a.blind_index from message_students ms
      join registrations r on r.student_id = ms.student_id
      join ${registrationDevices} a on a.registration_id = r.id
      where ms.message_id = d.message_id and ms.household_id = (select household_id from me))
    order by d.id limit 1) end`;

type InboxRow = Omit<InboxMessage, 'sentAt' | 'deadlineAt' | 'answer'> & {
  sentAt: Date | string;
  deadlineAt: Date | string | null;
  answer: { choice: number; confirmedAt: string; late: boolean } | null;
};

function inboxRows(registrationId: number, where: SQL, limit: number): SQL {
  return sql`
    with me as (${me(registrationId)})
    select ${messageColumns},
      coalesce((select array_agg(distinct r.child_name order by r.child_name)
        from message_students ms join registrations r on r.student_id = ms.student_id
        where ms.message_id = m.id and ms.household_id = (select household_id from me)),
        '{}') as children,
      (select json_build_object('choice', c.choice, 'confirmedAt', c.confirmed_at,
          'late', c.late)
        from confirmations c
        where c.message_id = m.id and c.household_id = (select household_id from me)) as answer,
      coalesce(${takesAnswers(sql`m`)}, false) as "takesAnswers",
      (${answerDelivery})::float8 as "answerDeliveryId",
      (select language from me) as language
    from ${messageFrom}
    where ${inInbox} and ${where}
    order by m.fanned_out_at desc, m.id desc
    limit ${limit}`;
}

function toInboxMessage(row: InboxRow): InboxMessage {
  return {
    ...row,
    sentAt: dateOf(row.sentAt),
    deadlineAt: dateOf(row.deadlineAt),
    answer: row.answer && { ...row.answer, confirmedAt: dateOf(row.answer.confirmedAt) },
  };
}

/**
 * One page of a registration's inbox, newest first: `limit` messages older than the message
 * `before` (none: the newest), and whether older ones exist. One statement per page.
 */
export async function inboxOf(
  db: Db | Tx,
  registrationId: number,
  options: { before?: number; limit: number },
): Promise<{ messages: InboxMessage[]; more: boolean }> {
  // A keyset on (fan-out time, id): a message sent while the parent pages neither repeats nor
  // skips one; a cursor that is not in this inbox gives an empty page.
  const older =
    options.before === undefined
      ? sql`true`
      : sql`(m.fanned_out_at, m.id) < (select b.fanned_out_at, b.id from messages b
          where b.id = ${options.before} and b.district_id = (select district_id from me))`;
  const rows = rowsOf<InboxRow>(
    await db.execute(inboxRows(registrationId, older, options.limit + 1)),
  );
  return {
    messages: rows.slice(0, options.limit).map(toInboxMessage),
    more: rows.length > options.limit,
  };
}

/** One message of a registration's inbox, or null when it is not in it. */
export async function findInboxMessage(
  db: Db | Tx,
  registrationId: number,
  messageId: number,
): Promise<InboxMessage | null> {
  const [row] = rowsOf<InboxRow>(
    await db.execute(inboxRows(registrationId, sql`m.id = ${messageId}`, 1)),
  );
  return row ? toInboxMessage(row) : null;
}
