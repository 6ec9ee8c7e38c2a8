import { sql, type SQL } from 'drizzle-orm';
import {
  FAILED_DELIVERY_STATES,
  MESSAGE_CATEGORIES,
  mailMayBeDeclined,
  REACHED_DELIVERY_STATES,
  type CallListReason,
  type CallMark,
  type MessagePart,
} from '@renraku/shared';
import { rowsOf, type Db, type Tx } from '../client';
import type { RosterPhone } from '../schema/households';
import { answeredMessageOf } from '../answered-sql';
import { registrationDevices } from '../device-sql';
import { partConditions } from '../scope-sql';
import { schoolOrder } from './schools';

// The call list (電話連絡リスト) of a message: the targeted households that no mail or push
// reached (a delivery of either channel counts, through registrationDevices).
// A household is on it when none of its targeted children has a registration with an address
// that was mailed — アドレス不達 when one of them has a registered address that was already dead
// (sends skip dead addresses), else 未登録 (not registered, or registered after the send) — or
// when every delivery to its addresses failed or bounced (配信失敗). A household with a
// delivery still on its way is not on it (yet). Deliveries are matched by blind index, so a
// household whose address was shared with a sibling's registration is matched too.
//
// 安否確認: once a confirming message escalated (messages.escalated_at, the chase's last step),
// the households a mail of it reached that never confirmed join as 未確認 ('unconfirmed'); and
// a household whose answer needs a call (the message's confirm.needsCall, answerNeedsCall) is
// on it whatever its mail did, with no reason of its own when the mail reached it.

const DECLINABLE_CATEGORIES = MESSAGE_CATEGORIES.filter(mailMayBeDeclined);

/** The households (of the message, within the filter) that belong on the call list. */
function callListHouseholds(messageId: number, filter: MessagePart): SQL {
  // The whole message is not narrowed by `scoped`: without it the planner sees how many
  // children it walks (a CTE's rows it guesses) and hash-joins their deliveries.
  const narrowed = filter.schoolId !== undefined || filter.classId !== undefined;
  const inScope = narrowed ? sql`and ms.household_id in (select household_id from scoped)` : sql``;
  return sql`
    scoped as (
      select distinct ms.household_id from message_students ms
      where ms.message_id = ${messageId} ${partConditions(filter, sql`ms.school_id`, sql`ms.class_id`)}
    ),
    -- One walk from the targeted children to their registrations and devices serves every
    -- question below: on a database of 1,000,000 registrations each walk costs a lookup per
    -- child, so walking once keeps the list fast.
    devices as materialized (
      select ms.household_id, r.education_mail, a.blind_index, a.health
      from message_students ms
      join registrations r on r.student_id = ms.student_id
      left join ${registrationDevices} a on a.registration_id = r.id
      where ms.message_id = ${messageId} ${inScope}
    ),
    mailed as (
      select devices.household_id, d.state
      from devices
      join deliveries d on d.message_id = ${messageId} and d.blind_index = devices.blind_index
    ),
    dead as (
      select distinct household_id from devices where health = 'dead'
    ),
    declined as (
      select distinct devices.household_id
      from devices
      join messages m on m.id = ${messageId} and m.category in ${DECLINABLE_CATEGORIES}
      where not devices.education_mail
    ),
    reach as (
      select household_id, count(*) as mailed,
        count(*) filter (where state not in ${[...FAILED_DELIVERY_STATES]}) as unfailed
      from mailed group by household_id
    ),
    unreached as (
      select scoped.household_id,
        case when reach.mailed > 0 then 'failed'
          when dead.household_id is not null then 'address_dead'
          else 'unregistered' end as reason
      from scoped
      left join reach on reach.household_id = scoped.household_id
      left join dead on dead.household_id = scoped.household_id
      left join declined on declined.household_id = scoped.household_id
      where coalesce(reach.unfailed, 0) = 0
        -- A family that declined this category by mail and was mailed nothing chose so.
        and not (reach.mailed is null and declined.household_id is not null)
    ),
    asked as (
      select confirm, escalated_at is not null as escalated from messages
      where id = ${messageId} and confirm is not null
    ),
    answered as (
      select c.household_id, c.choice from confirmations c
      join scoped on scoped.household_id = c.household_id
      where c.message_id = ${answeredMessageOf(messageId)}
    ),
    listed as (
      select household_id, reason from unreached
      union all
      select distinct mailed.household_id, 'unconfirmed' from mailed
      where mailed.state in ${[...REACHED_DELIVERY_STATES]}
        and (select escalated from asked)
        and not exists (select 1 from answered where answered.household_id = mailed.household_id)
      union all
      select answered.household_id, null from answered, asked
      where asked.confirm->'needsCall' @> to_jsonb(answered.choice::int)
        and not exists (select 1 from unreached where unreached.household_id = answered.household_id)
    )`;
}

/** A targeted child of a household on the call list. */
export interface CallListChild {
  studentId: number;
  name: string;
  kana: string;
  schoolId: number;
  classId: number;
  grade: number;
  className: string;
  classOrder: number;
}

/** One household row: siblings merged, the school's phone numbers, and the latest mark. */
export interface CallListHousehold {
  householdId: number;
  schoolId: number;
  schoolName: string;
  /** Null for a household its mail reached that is listed for its answer alone. */
  reason: CallListReason | null;
  /** Its answer (choice index) to a confirming message, null when it has not answered. */
  answer: number | null;
  phones: RosterPhone[];
  /** Every targeted child of the household, youngest grade first. */
  children: CallListChild[];
  mark: CallMark | null;
  markedBy: string | null;
  markedAt: Date | null;
}

/** A household's targeted children (CallListChild[], youngest grade first) as one json value. */
export function targetedChildren(messageId: number, household: SQL): SQL {
  return sql`(select json_agg(json_build_object(
      'studentId', st.id, 'name', st.name, 'kana', st.kana, 'schoolId', ms.school_id,
      'classId', ms.class_id, 'grade', c.grade, 'className', c.name,
      'classOrder', c.sort_order)
    order by c.grade, c.sort_order, c.name, st.kana)
    from message_students ms
    join students st on st.id = ms.student_id
    join classes c on c.id = ms.class_id
    where ms.message_id = ${messageId} and ms.household_id = ${household})`;
}

type HouseholdRow = Omit<CallListHousehold, 'markedAt'> & { markedAt: Date | string | null };

/**
 * The call list's households with their children, phones and marks. Never selects an
 * address column: nothing here can leak one into a page, CSV, JSON or socket event.
 */
export async function listCallListHouseholds(
  db: Db | Tx,
  messageId: number,
  filter: MessagePart = {},
): Promise<CallListHousehold[]> {
  const rows = rowsOf<HouseholdRow>(
    await db.execute(sql`
      with ${callListHouseholds(messageId, filter)}
      select h.id as "householdId", h.school_id as "schoolId", sc.name as "schoolName",
        listed.reason, c.choice as answer, h.phones,
        ${targetedChildren(messageId, sql`h.id`)} as children,
        m.mark, u.display_name as "markedBy", m.marked_at as "markedAt"
      from listed
      join households h on h.id = listed.household_id
      join schools sc on sc.id = h.school_id
      left join call_list_marks m on m.message_id = ${messageId} and m.household_id = h.id
      left join staff_users u on u.id = m.staff_user_id
      left join confirmations c on c.message_id = ${answeredMessageOf(messageId)} and c.household_id = h.id
      order by ${schoolOrder('sc')}, h.id
    `),
  );
  return rows.map((row) => ({
    ...row,
    children: row.children ?? [],
    markedAt:
      row.markedAt === null
        ? null
        : row.markedAt instanceof Date
          ? row.markedAt
          : new Date(row.markedAt),
  }));
}

/** How many households of each message are on its call list (the board's overview). */
export async function countCallListHouseholds(db: Db | Tx, messageId: number): Promise<number> {
  const [row] = rowsOf<{ n: number }>(
    await db.execute(
      sql`with ${callListHouseholds(messageId, {})} select count(*)::int as n from listed`,
    ),
  );
  return row?.n ?? 0;
}

/** A school the message targeted, with how many of its households are on the call list. */
export interface CallListSchool {
  schoolId: number;
  schoolName: string;
  households: number;
}

/** Every school the message targeted, in the board's order. */
export async function listTargetedSchools(
  db: Db | Tx,
  messageId: number,
): Promise<Omit<CallListSchool, 'households'>[]> {
  return rowsOf<Omit<CallListSchool, 'households'>>(
    await db.execute(sql`
      with targeted as (select distinct school_id from message_students where message_id = ${messageId})
      select s.id as "schoolId", s.name as "schoolName"
      from targeted join schools s on s.id = targeted.school_id
      order by ${schoolOrder('s')}
    `),
  );
}

/** Every school the message targeted, in the board's order: the board's jump list. */
export async function countCallListHouseholdsBySchool(
  db: Db | Tx,
  messageId: number,
): Promise<CallListSchool[]> {
  return rowsOf<CallListSchool>(
    await db.execute(sql`
      with ${callListHouseholds(messageId, {})},
      targeted as (select distinct school_id from message_students where message_id = ${messageId}),
      counted as (
        select h.school_id, count(*)::int as households
        from listed join households h on h.id = listed.household_id
        group by h.school_id
      )
      select s.id as "schoolId", s.name as "schoolName",
        coalesce(counted.households, 0) as households
      from targeted join schools s on s.id = targeted.school_id
      left join counted on counted.school_id = s.id
      order by ${schoolOrder('s')}
    `),
  );
}

/**
 * Where a household's children sit among the message's targets, within the filter; empty
 * when the household is not targeted by the message or lies outside the filter.
 */
export async function targetedHouseholdPlaces(
  db: Db | Tx,
  messageId: number,
  householdId: number,
  filter: MessagePart = {},
): Promise<{ schoolId: number; classId: number }[]> {
  // The class narrows whether the household counts, not which of its places are told.
  const { classId, ...school } = filter;
  const all = rowsOf<{ schoolId: number; classId: number }>(
    await db.execute(sql`
      select distinct school_id as "schoolId", class_id as "classId" from message_students
      where message_id = ${messageId} and household_id = ${householdId}
        ${partConditions(school, sql`school_id`, sql`class_id`)}
    `),
  );
  const inFilter = classId === undefined || all.some((p) => p.classId === classId);
  return inFilter ? all : [];
}

/** Sets (or with null clears) a household's mark; returns when it was made. */
export async function setCallListMark(
  db: Db | Tx,
  input: { messageId: number; householdId: number; mark: CallMark | null; staffUserId: number },
): Promise<Date> {
  if (input.mark === null) {
    await db.execute(sql`delete from call_list_marks
      where message_id = ${input.messageId} and household_id = ${input.householdId}`);
    return new Date();
  }
  const [row] = rowsOf<{ markedAt: Date | string }>(
    await db.execute(sql`
      insert into call_list_marks (message_id, household_id, mark, staff_user_id, marked_at)
      values (${input.messageId}, ${input.householdId}, ${input.mark}, ${input.staffUserId}, now())
      on conflict (message_id, household_id) do update
        set mark = excluded.mark, staff_user_id = excluded.staff_user_id, marked_at = now()
      returning marked_at as "markedAt"
    `),
  );
  const at = row?.markedAt ?? new Date();
  return at instanceof Date ? at : new Date(at);
}
