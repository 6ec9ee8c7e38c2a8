import { and, asc, eq, isNull, lte, sql, type SQL } from 'drizzle-orm';
import {
  confirmRequestOf,
  mailMayBeDeclined,
  nextMonthlyRun,
  PENDING_DELIVERY_STATES,
  RESEND_TAG,
  schoolYearOf,
  SENDING_PRIORITY,
  type ConfirmRequest,
  type FilledVariants,
  type MessageCategory,
  type MessagePart,
  type MessageState,
  type MessageTarget,
  type SlotValues,
} from '@renraku/shared';
import { dateOf, rowsOf, type Db, type Tx } from '../client';
import { registrationDevices } from '../device-sql';
import { districts, messages, messageSchedules, schools, staffUsers } from '../schema';
import { listMessageAttachments, type ListedAttachment } from './attachments';
import { liveRegistrationOf } from './live-registrations';

// Composing a message and turning it into deliveries. A target always resolves to classes of
// one school year inside the sender's district; the caller has already checked it against
// the author's scope, and nothing here can reach outside the district whatever the ids say.

/** `column in (…)`, or false for an empty list (which SQL cannot write). */
function inIds(column: SQL, ids: number[]): SQL {
  return ids.length === 0 ? sql`false` : sql`${column} in ${ids}`;
}

/** The classes (`id`, `school_id`) a target reaches, as a subquery. */
function targetClasses(districtId: number, target: MessageTarget, schoolYear: number): SQL {
  const base = sql`select c.id, c.school_id from classes c
    where c.district_id = ${districtId} and c.school_year = ${schoolYear}`;
  switch (target.kind) {
    case 'district':
      return base;
    case 'schools':
      return sql`${base} and ${inIds(sql`c.school_id`, target.schoolIds)}`;
    case 'grades':
      return sql`${base} and c.school_id = ${target.schoolId} and ${inIds(sql`c.grade`, target.grades)}`;
    case 'classes':
      return sql`${base} and ${inIds(sql`c.id`, target.classIds)}`;
  }
}

/**
 * Every device a send would reach, one row per (registration, device): the addresses of the
 * registrations in the targeted classes whose hard bounces have not marked them dead, and their
 * subscribed push devices.
 */
function liveDevices(classes: SQL, category: MessageCategory): SQL {
  return liveDevicesOf(sql`join (${classes}) tc on tc.id = r.class_id`, category);
}

/**
 * The live devices of the registrations that `registrations` (a join on `r`) picks: their live
 * addresses, less those whose parent declined the category by mail (mailMayBeDeclined), and
 * their push subscriptions, which go for every category. `device_id` is the address's or the
 * subscription's id, `blind_index` the keyed index the delivery carries.
 */
function liveDevicesOf(registrations: SQL, category: MessageCategory): SQL {
  const owner = sql`r.id as registration_id, r.student_id, r.school_id, r.class_id, r.child_name`;
  return sql`select 'mail'::delivery_channel as channel, a.id as device_id, a.blind_index,
      a.carrier_domain, a.position, ${owner}
    from registrations r
    ${registrations}
    join addresses a on a.registration_id = r.id
    where a.health <> 'dead' ${mailMayBeDeclined(category) ? sql`and r.education_mail` : sql``}
    union all
    select 'push'::delivery_channel, p.id, p.endpoint_index, p.push_service, 0, ${owner}
    from registrations r
    ${registrations}
    join push_subscriptions p on p.registration_id = r.id`;
}

/** What the compose page shows before the confirmation. */
export interface MessagePreview {
  /**
   * Deliveries the send would make: one mail per distinct address and one push per distinct
   * device, siblings or not.
   */
  recipients: number;
  /** Roster households with an enrolled student in the targeted classes. */
  households: number;
  /** Of those, the households no mail would reach: they go on the call list. */
  callListHouseholds: number;
}

/**
 * The exact figures of a send before it happens, computed by the same target resolution as
 * the fan-out so that the confirmation never promises other numbers than the send delivers.
 */
export async function previewMessage(
  db: Db | Tx,
  districtId: number,
  target: MessageTarget,
  schoolYear: number,
  category: MessageCategory,
): Promise<MessagePreview> {
  const classes = targetClasses(districtId, target, schoolYear);
  const [row] = rowsOf<MessagePreview>(
    await db.execute(sql`
      with live as (${liveDevices(classes, category)}),
      households as (
        select distinct s.household_id from students s
        join (${classes}) tc on tc.id = s.class_id
        where s.status = 'enrolled'
      ),
      reached as (
        select distinct s.household_id from live join students s on s.id = live.student_id
      ),
      declined as (
        select distinct s.household_id from registrations r
        join (${classes}) tc on tc.id = r.class_id
        join students s on s.id = r.student_id
        where ${mailMayBeDeclined(category) ? sql`not r.education_mail` : sql`false`}
      )
      select
        (select count(*)::int from (select distinct channel, blind_index collate "C" from live) d)
          as "recipients",
        (select count(*)::int from households) as "households",
        -- As the call list will: a family that declined the category by mail is not on it.
        (select count(*)::int from households h
          where h.household_id not in (select household_id from reached)
            and h.household_id not in (select household_id from declined)) as "callListHouseholds"
    `),
  );
  return row ?? { recipients: 0, households: 0, callListHouseholds: 0 };
}

/** What a confirmed compose form (or an API call) hands over. */
export interface NewMessage {
  districtId: number;
  /** The sending school; null when the board sends. */
  schoolId: number | null;
  authorId: number | null;
  category: MessageCategory;
  subject: string;
  body: string;
  target: MessageTarget;
  /** Null, or a time not after now, sends at once. */
  scheduledAt: Date | null;
  /** One per compose form: a double submit or a retried API call returns the first message. */
  idempotencyKey: string | null;
  /** The hash of the request that brought the key (see sendMessage); compared on a repeat. */
  requestHash?: string | null;
  scheduleId?: number | null;
  /** 安否確認: what each family is asked to answer; null or absent asks nothing. */
  confirm?: ConfirmRequest | null;
  /** The template it was written from, its slot values and every language's filled text. */
  template?: { id: number; slots: SlotValues; variants: FilledVariants } | null;
}

/**
 * Creates a message exactly once per (author, idempotency key). A message due now is fanned
 * out in the same transaction, so a committed message always has all its deliveries; a
 * scheduled one is fanned out by a dispatcher when it falls due (fanOutDueMessage).
 */
export async function createMessage(
  db: Db | Tx,
  input: NewMessage,
  now: Date = new Date(),
): Promise<{ id: number; created: boolean; sameRequest: boolean }> {
  return db.transaction(async (tx) => {
    const scheduledAt = input.scheduledAt && input.scheduledAt > now ? input.scheduledAt : null;
    const [inserted] = await tx
      .insert(messages)
      .values({
        districtId: input.districtId,
        schoolId: input.schoolId,
        authorId: input.authorId,
        scheduleId: input.scheduleId ?? null,
        category: input.category,
        subject: input.subject,
        body: input.body,
        target: input.target,
        state: 'queued',
        idempotencyKey: input.idempotencyKey,
        requestHash: input.requestHash ?? null,
        confirm: input.confirm ?? null,
        templateId: input.template?.id ?? null,
        templateSlots: input.template?.slots ?? null,
        variants: input.template?.variants ?? null,
        scheduledAt,
        queuedAt: now,
      })
      .onConflictDoNothing({ target: [messages.authorId, messages.idempotencyKey] })
      .returning({ id: messages.id });
    if (!inserted) {
      const [existing] = await tx
        .select({ id: messages.id, requestHash: messages.requestHash })
        .from(messages)
        .where(
          and(
            sql`${messages.authorId} is not distinct from ${input.authorId}`,
            sql`${messages.idempotencyKey} is not distinct from ${input.idempotencyKey}`,
          ),
        );
      if (!existing) throw new Error('idempotency conflict without an existing message');
      // A message stored before hashes were kept cannot be compared; it counts as the same.
      const sameRequest =
        existing.requestHash === null || existing.requestHash === (input.requestHash ?? null);
      return { id: existing.id, created: false, sameRequest };
    }
    if (!scheduledAt) {
      await fanOut(
        tx,
        {
          id: inserted.id,
          districtId: input.districtId,
          target: input.target,
          category: input.category,
        },
        now,
      );
    }
    return { id: inserted.id, created: true, sameRequest: true };
  });
}

/** A fan-out this large changes the row counts enough to refresh the planner's statistics. */
const ANALYZE_AFTER_RECIPIENTS = 1000;

/** Creates the message's roster snapshot and then its deliveries (insertDeliveries). */
async function fanOut(
  tx: Tx,
  message: { id: number; districtId: number; target: MessageTarget; category: MessageCategory },
  now: Date,
): Promise<void> {
  const classes = targetClasses(message.districtId, message.target, schoolYearOf(now));
  // A district-wide sort of 30,000 rows fits in memory with this, not in the default 4 MB.
  await tx.execute(sql`set local work_mem = '64MB'`);
  await tx.execute(sql`
    insert into message_students (message_id, student_id, household_id, school_id, class_id)
    select ${message.id}, s.id, s.household_id, s.school_id, s.class_id
    from students s join (${classes}) tc on tc.id = s.class_id
    where s.status = 'enrolled'
  `);
  await insertDeliveries(tx, message, liveDevices(classes, message.category));
}

/**
 * Creates a message's deliveries from its live devices (liveDevicesOf) with one
 * `INSERT … SELECT`: one delivery per distinct address or push device (channel and blind index),
 * counted where its first child is, naming the children when it serves several. Sets the
 * message's recipient count, fan-out time and (for a message that asks for confirmation and
 * chases nothing) its deadline. A message with nobody to reach is settled at once.
 */
async function insertDeliveries(
  tx: Tx,
  message: { id: number; category: MessageCategory },
  live: SQL,
): Promise<number> {
  // Grouping by blind index in the "C" collation: byte order, all a hex string needs.
  // The first child is the lowest registration id (then address position): min() over an
  // array compares element by element, so a hash aggregate finds it without sorting.
  const [fannedOut] = rowsOf<{ recipients: number }>(
    await tx.execute(sql`
    with live as (${live}),
    per_device as (
      select channel, blind_index collate "C" as blind_index,
        min(array[registration_id, position, device_id, school_id, class_id]) as first,
        min(carrier_domain) as carrier_domain,
        case when min(child_name) <> max(child_name) then array_agg(child_name) end as children
      from live
      group by 1, 2
    ),
    inserted as (
      insert into deliveries (message_id, priority, channel, address_id, push_subscription_id,
        blind_index, carrier_domain, school_id, class_id, child_names)
      select ${message.id}, ${SENDING_PRIORITY[message.category]}::smallint, channel,
        case when channel = 'mail' then first[3] end,
        case when channel = 'push' then first[3] end,
        blind_index, carrier_domain, first[4], first[5],
        case when children is not null
          then array(select distinct name from unnest(children) name order by name) end
      from per_device
      returning 1
    )
    update messages set recipient_count = (select count(*) from inserted), fanned_out_at = now(),
      -- The deadline runs from the send, so a scheduled message's starts when it goes out.
      confirm_deadline_at = case when confirm is not null and resend_of is null
        then now() + make_interval(mins => (confirm->>'deadlineMinutes')::int) end
    where id = ${message.id}
    returning recipient_count as recipients
  `),
  );
  const recipients = Number(fannedOut?.recipients ?? 0);
  // Until the next autovacuum the planner would believe the new message has a row or two and
  // pick nested loops that take minutes over a city's rows, exactly when staff open the call
  // list after an emergency send. ANALYZE inside this transaction counts the rows it added.
  if (recipients >= ANALYZE_AFTER_RECIPIENTS) {
    await tx.execute(sql`analyze message_students, deliveries`);
  }
  await settleMessages(tx, [message.id]);
  return recipients;
}

/**
 * Fans out the oldest scheduled message that has fallen due; each runs in its own transaction
 * and `SKIP LOCKED` lets several dispatchers share the work. Returns null when none is due.
 */
export async function fanOutDueMessage(db: Db, now: Date = new Date()): Promise<number | null> {
  return db.transaction(async (tx) => {
    const [due] = await tx
      .select({
        id: messages.id,
        districtId: messages.districtId,
        target: messages.target,
        category: messages.category,
      })
      .from(messages)
      .where(
        and(
          eq(messages.state, 'queued'),
          isNull(messages.fannedOutAt),
          lte(messages.scheduledAt, now),
        ),
      )
      .orderBy(asc(messages.scheduledAt))
      .limit(1)
      .for('update', { skipLocked: true });
    if (!due) return null;
    await fanOut(tx, due, now);
    return due.id;
  });
}

/**
 * Turns the board's recurring schedule that is due into a message (sent at once) and moves
 * the schedule to its next run. A schedule that was due several times while the system was
 * down sends once, not once per missed month. Returns the new message's id, or null.
 */
export async function runDueSchedule(db: Db, now: Date = new Date()): Promise<number | null> {
  return db.transaction(async (tx) => {
    const [schedule] = await tx
      .select()
      .from(messageSchedules)
      .where(and(eq(messageSchedules.active, true), lte(messageSchedules.nextRunAt, now)))
      .orderBy(asc(messageSchedules.nextRunAt))
      .limit(1)
      .for('update', { skipLocked: true });
    if (!schedule) return null;
    const { id } = await createMessage(
      tx,
      {
        districtId: schedule.districtId,
        schoolId: null,
        authorId: schedule.authorId,
        scheduleId: schedule.id,
        category: schedule.category,
        subject: schedule.subject,
        body: schedule.body,
        target: schedule.target,
        scheduledAt: null,
        idempotencyKey: null,
        // The monthly test mail asks every family to confirm: its non-confirmers are each
        // school's list of families whose address may no longer reach them.
        confirm: confirmRequestOf(schedule.category, { preset: 'ack' }),
      },
      now,
    );
    await tx
      .update(messageSchedules)
      .set({ nextRunAt: nextMonthlyRun(now, schedule.dayOfMonth, schedule.timeOfDay) })
      .where(eq(messageSchedules.id, schedule.id));
    return id;
  });
}

/** A sent message that asks for confirmation, as its re-send (追いかけ) copies it. */
export interface ChasedMessage {
  id: number;
  districtId: number;
  schoolId: number | null;
  category: MessageCategory;
  subject: string;
  body: string;
  target: MessageTarget;
  confirm: ConfirmRequest;
  /** When its newest re-send was made, manual or at the deadline; null before any. */
  lastResendAt: Date | null;
}

const chasedColumns = sql`m.id, m.district_id as "districtId", m.school_id as "schoolId",
  m.category, m.subject, m.body, m.target, m.confirm,
  (select max(r.created_at) from messages r where r.resend_of = m.id) as "lastResendAt"`;

function toChased(row: ChasedMessage & { lastResendAt: Date | string | null }): ChasedMessage {
  return { ...row, lastResendAt: dateOf(row.lastResendAt) };
}

/** A sent message that asks for confirmation and chases none (a re-send can be made of it). */
export async function findChasedMessage(
  db: Db | Tx,
  messageId: number,
): Promise<ChasedMessage | null> {
  return chasedMessage(db, messageId, sql``);
}

/**
 * As findChasedMessage, locking the row for the length of the transaction, so that two
 * re-sends of it (two presses, or a press and the deadline) run one after the other and the
 * second sees the first.
 */
export async function lockChasedMessage(tx: Tx, messageId: number): Promise<ChasedMessage | null> {
  return chasedMessage(tx, messageId, sql`for update of m`);
}

async function chasedMessage(
  db: Db | Tx,
  messageId: number,
  lock: SQL,
): Promise<ChasedMessage | null> {
  const [row] = rowsOf<ChasedMessage>(
    await db.execute(sql`select ${chasedColumns} from messages m
      where m.id = ${messageId} and m.confirm is not null and m.resend_of is null
        and m.fanned_out_at is not null
      ${lock}`),
  );
  return row ? toChased(row) : null;
}

/**
 * The message whose deadline passed longest ago without its chase, locked; `SKIP LOCKED` lets
 * several dispatchers share the chasing. Null when none is due.
 */
export async function lockDueChase(tx: Tx): Promise<ChasedMessage | null> {
  const [row] = rowsOf<ChasedMessage>(
    await tx.execute(sql`select ${chasedColumns} from messages m
      where m.confirm_deadline_at <= now() and m.chased_at is null and m.escalated_at is null
      order by m.confirm_deadline_at limit 1
      for update of m skip locked`),
  );
  return row ? toChased(row) : null;
}

/** Marks a message's deadline chase as made. */
export async function markChased(tx: Tx, messageId: number): Promise<void> {
  await tx
    .update(messages)
    .set({ chasedAt: sql`now()` })
    .where(eq(messages.id, messageId));
}

/**
 * Marks the messages whose chase was made and whose deadline passed once more since (deadline
 * + the same interval) as escalated: from then on their unconfirmed households are on the call
 * list. Returns their ids; `SKIP LOCKED` leaves a message another dispatcher holds to it.
 */
export async function escalateDueMessages(db: Db | Tx, limit: number): Promise<number[]> {
  const rows = rowsOf<{ id: number }>(
    await db.execute(sql`
      update messages m set escalated_at = now()
      where m.id in (
        select d.id from messages d
        where d.confirm_deadline_at is not null and d.escalated_at is null
          and d.chased_at is not null
          and d.confirm_deadline_at
            + make_interval(mins => (d.confirm->>'deadlineMinutes')::int) <= now()
        order by d.confirm_deadline_at limit ${limit}
        for update skip locked
      )
      returning m.id
    `),
  );
  return rows.map((row) => row.id);
}

/** A re-send to make: the message it chases, its subject, who pressed, and whose households. */
export interface NewResend {
  root: ChasedMessage;
  /** The re-send's own subject (【再送】…). */
  subject: string;
  /** The staff member who pressed; null for the automatic chase at the deadline. */
  authorId: number | null;
  /** The households of this part of the message only (a teacher's class). */
  part: MessagePart;
}

/**
 * Creates the re-send of a message to its households in `part` that have not confirmed, that
 * a live (not dead) address or a push device of a targeted child's registration can still reach
 * (one that failed may have a new address since), whose first mail or push is no longer on its
 * way, and that no re-send reached within the deadline's interval. Its roster snapshot is the
 * message's targeted students of those households, its deliveries their registrations' live
 * devices. Null when no household is left to chase.
 * The caller holds the message's lock (lockChasedMessage or lockDueChase).
 */
export async function createResend(
  tx: Tx,
  input: NewResend,
): Promise<{ id: number; recipients: number } | null> {
  const { root, part } = input;
  const inPart = sql.join(
    [
      sql`ms.message_id = ${root.id}`,
      ...(part.schoolId === undefined ? [] : [sql`ms.school_id = ${part.schoolId}`]),
      ...(part.classId === undefined ? [] : [sql`ms.class_id = ${part.classId}`]),
    ],
    sql` and `,
  );
  const [created] = rowsOf<{ id: number; students: number }>(
    await tx.execute(sql`
      with chased as (
        select distinct ms.household_id from message_students ms
        where ${inPart}
          and not exists (select 1 from confirmations c
            where c.message_id = ${root.id} and c.household_id = ms.household_id)
          and not exists (select 1 from messages rm
            join message_students rms on rms.message_id = rm.id
              and rms.household_id = ms.household_id
            where rm.resend_of = ${root.id}
              and rm.created_at > now() - make_interval(mins => ${root.confirm.deadlineMinutes}))
          and exists (select 1 from message_students hs
            where hs.message_id = ${root.id} and hs.household_id = ms.household_id
              and ${liveRegistrationOf(sql`hs.student_id`)})
          -- A first mail still on its way is not chased: a press during the send would mail
          -- the family twice before it could have read the first.
          and not exists (select 1 from message_students ps
            join registrations r on r.student_id = ps.student_id
            join ${registrationDevices} a on a.registration_id = r.id
            join deliveries d on d.message_id = ${root.id} and d.blind_index = a.blind_index
            where ps.message_id = ${root.id} and ps.household_id = ms.household_id
              and d.state in ${[...PENDING_DELIVERY_STATES]})
      ),
      resend as (
        insert into messages (district_id, school_id, author_id, category, subject, body, target,
          state, confirm, queued_at, resend_of, template_id, template_slots, variants)
        select ${root.districtId}, ${root.schoolId}, ${input.authorId}, ${root.category},
          ${input.subject}, ${root.body}, ${JSON.stringify(root.target)}::jsonb, 'queued',
          ${JSON.stringify(root.confirm)}::jsonb, now(), ${root.id},
          -- The re-send reaches each family in the language the first mail did, tagged too.
          rm.template_id, rm.template_slots,
          (select jsonb_object_agg(v.language,
              v.text || jsonb_build_object('subject', ${RESEND_TAG} || (v.text ->> 'subject')))
            from jsonb_each(rm.variants) v(language, text))
        from messages rm
        where rm.id = ${root.id} and exists (select 1 from chased)
        returning id
      ),
      snapshot as (
        insert into message_students (message_id, student_id, household_id, school_id, class_id)
        select resend.id, ms.student_id, ms.household_id, ms.school_id, ms.class_id
        from resend cross join message_students ms
        where ms.message_id = ${root.id} and ms.household_id in (select household_id from chased)
        returning 1
      )
      select id, (select count(*)::int from snapshot) as students from resend
    `),
  );
  if (!created) return null;
  // The deliveries are found through the new snapshot; without fresh statistics the planner
  // takes it for a row or two and loops over a city's registrations.
  if (created.students >= ANALYZE_AFTER_RECIPIENTS) await tx.execute(sql`analyze message_students`);
  const recipients = await insertDeliveries(
    tx,
    { id: created.id, category: root.category },
    liveDevicesOf(
      sql`join message_students cs
        on cs.message_id = ${created.id} and cs.student_id = r.student_id`,
      root.category,
    ),
  );
  return { id: created.id, recipients };
}

/**
 * The one place that decides that a message is finished: fanned out, still open, and no
 * delivery left that a dispatcher could send. Without ids it sweeps every open message (a
 * dispatcher that died between its last status write and its settle leaves one behind).
 * Returns the ids it settled, so the caller can announce them.
 */
export async function settleMessages(db: Db | Tx, messageIds?: number[]): Promise<number[]> {
  const only = messageIds ? sql`and ${inIds(sql`m.id`, messageIds)}` : sql``;
  const rows = rowsOf<{ id: number }>(
    await db.execute(sql`
      update messages m set state = 'done', finished_at = now()
      where m.state in ('queued', 'sending') and m.fanned_out_at is not null ${only}
        and not exists (
          select 1 from deliveries d
          where d.message_id = m.id and d.state in ${[...PENDING_DELIVERY_STATES]}
        )
      returning m.id
    `),
  );
  return rows.map((row) => row.id);
}

/** Everything the mail needs besides the recipient, read once per message per dispatcher. */
export interface MessageForMail {
  id: number;
  category: MessageCategory;
  subject: string;
  body: string;
  districtCode: string;
  /** The school's name, or the board's (district's) for a board send. */
  senderName: string;
  /** The sending school's code; null for the board. */
  schoolCode: string | null;
  authorName: string | null;
  /** What the mail asks its family to answer; null when it asks nothing. */
  confirm: ConfirmRequest | null;
  /** Listed near the end of the body, each with its link; a mail never carries a file. */
  attachments: Pick<ListedAttachment, 'id' | 'fileName' | 'contentType' | 'byteSize'>[];
  /** A template message's filled text per language; null for a free (Japanese only) one. */
  variants: FilledVariants | null;
}

/** The dispatcher renders each message once, from these queries. */
export async function messageForMail(
  db: Db | Tx,
  messageId: number,
): Promise<MessageForMail | null> {
  const [row] = await db
    .select({
      id: messages.id,
      category: messages.category,
      subject: messages.subject,
      body: messages.body,
      districtCode: districts.code,
      districtName: districts.name,
      schoolName: schools.name,
      schoolCode: schools.code,
      authorName: staffUsers.displayName,
      confirm: messages.confirm,
      variants: messages.variants,
    })
    .from(messages)
    .innerJoin(districts, eq(districts.id, messages.districtId))
    .leftJoin(schools, eq(schools.id, messages.schoolId))
    .leftJoin(staffUsers, eq(staffUsers.id, messages.authorId))
    .where(eq(messages.id, messageId));
  if (!row) return null;
  const { districtName, schoolName, ...rest } = row;
  const attachments = await listMessageAttachments(db, [messageId]);
  return { ...rest, senderName: schoolName ?? districtName, attachments };
}

/** Who sent a message and whether it still waits for its time, for deciding who may cancel it. */
export interface ScheduledSend {
  id: number;
  districtId: number;
  /** The sending school; null when the board sent it. */
  schoolId: number | null;
  target: MessageTarget;
  state: MessageState;
  scheduledAt: Date | null;
  /** Whether the deliveries exist: from then on the send cannot be recalled. */
  fannedOut: boolean;
}

/** A message's sender, target and schedule; null when there is no such message. */
export async function findScheduledSend(
  db: Db | Tx,
  messageId: number,
): Promise<ScheduledSend | null> {
  const [row] = await db
    .select({
      id: messages.id,
      districtId: messages.districtId,
      schoolId: messages.schoolId,
      target: messages.target,
      state: messages.state,
      scheduledAt: messages.scheduledAt,
      fannedOutAt: messages.fannedOutAt,
    })
    .from(messages)
    .where(eq(messages.id, messageId));
  if (!row) return null;
  const { fannedOutAt, ...rest } = row;
  return { ...rest, fannedOut: fannedOutAt !== null };
}

/** What a cancel did: cancelled it, or found it in a state that cannot be cancelled. */
export type CancelOutcome =
  | { cancelled: true; finishedAt: Date }
  | { cancelled: false; state: MessageState; fannedOut: boolean };

/**
 * Cancels a scheduled message that has not been fanned out, in one UPDATE: the dispatcher's
 * fan-out holds the row FOR UPDATE and sets fanned_out_at, so a cancel that waited for it
 * re-checks the row and changes nothing (a send that has started is irreversible), and a
 * committed cancel leaves no row for the fan-out to take. Null when the district has no such
 * message.
 */
export async function cancelScheduledMessage(
  db: Db | Tx,
  messageId: number,
  districtId: number,
  now: Date = new Date(),
): Promise<CancelOutcome | null> {
  const [cancelled] = await db
    .update(messages)
    .set({ state: 'cancelled', finishedAt: now })
    .where(
      and(
        eq(messages.id, messageId),
        eq(messages.districtId, districtId),
        eq(messages.state, 'queued'),
        isNull(messages.fannedOutAt),
      ),
    )
    .returning({ finishedAt: messages.finishedAt });
  if (cancelled?.finishedAt) return { cancelled: true, finishedAt: cancelled.finishedAt };
  // A separate statement, so that it sees the fan-out the UPDATE may have waited for.
  const [current] = await db
    .select({ state: messages.state, fannedOutAt: messages.fannedOutAt })
    .from(messages)
    .where(and(eq(messages.id, messageId), eq(messages.districtId, districtId)));
  return current
    ? { cancelled: false, state: current.state, fannedOut: current.fannedOutAt !== null }
    : null;
}

/** What deleting a district's finished messages took with it. */
export interface DeletedMessages {
  districtId: number;
  messages: number;
  deliveries: number;
  answers: number;
}

/**
 * Retention: deletes the messages finished before `cutoff`, with (by cascade) their deliveries,
 * answers, roster snapshot, call-list marks and bounce reports; counts them by district.
 */
export async function deleteFinishedMessages(
  db: Db | Tx,
  cutoff: Date,
): Promise<DeletedMessages[]> {
  return rowsOf<DeletedMessages>(
    await db.execute(sql`
      with old as (
        select id, district_id from messages
        where finished_at < ${cutoff.toISOString()}::timestamptz and state in ('done', 'cancelled')
      ),
      -- Counted before the cascade (the statement's snapshot still has them).
      counted as (
        select old.district_id,
          count(*)::int as messages,
          coalesce(sum((select count(*) from deliveries d where d.message_id = old.id)), 0)::int
            as deliveries,
          coalesce(sum((select count(*) from confirmations c where c.message_id = old.id)), 0)::int
            as answers
        from old group by old.district_id
      ),
      -- PostgreSQL runs a data-modifying CTE to completion whether or not it is read.
      gone as (delete from messages where id in (select id from old))
      select district_id as "districtId", messages, deliveries, answers from counted
    `),
  );
}
