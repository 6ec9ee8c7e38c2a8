import {
  countCallListHouseholdsBySchool,
  findMessageInScope,
  householdsWithFailingAddress,
  listCallListHouseholds,
  listTargetedSchools,
  recordAuditEvent,
  setCallListMark,
  targetedHouseholdPlaces,
  type CallListHousehold,
  type CallListSchool,
  type WatchedMessage,
} from '@renraku/db';
import {
  answerNeedsCall,
  choiceLabels,
  type ConfirmRequest,
  finalSubject,
  type CallListMarkEvent,
  type CallListReason,
  type CallMark,
  type MessagePart,
  narrowedScopeFilter,
  scopeFilter,
  seesWholeDistrict,
} from '@renraku/shared';
import type { CoreContext } from '../context';
import type { ActingStaff } from '../acting-staff';

// The call list (電話連絡リスト) as staff work it: households grouped by class, siblings in one
// row, the roster's phone numbers, and the marks that keep two teachers from phoning one family.

/** A row as the page, the JSON API and the CSV show it; never an address. */
export interface CallListRow {
  householdId: number;
  /** Why no mail reached it, or 'unconfirmed'; null when it is listed for its answer alone. */
  reason: CallListReason | null;
  /** Its answer to a confirming message (安否確認), null when it has not answered. */
  answer: CallListAnswer | null;
  /** One of the family's registered addresses bounces: ask them to fix it (never which one). */
  addressFailing: boolean;
  /** Every targeted child of the household: 「山田 太郎（3年1組）」. */
  children: { name: string; kana: string; grade: number; className: string }[];
  phones: { label: string; number: string }[];
  mark: CallMark | null;
  markedBy: string | null;
  markedAt: string | null;
}

/** A household's answer as the call list shows it. */
export interface CallListAnswer {
  choice: number;
  label: string;
  /** The answer asks for a call (answerNeedsCall): the row is in `actionNeeded`. */
  needsCall: boolean;
}

/** The rows of one class, in the order a teacher phones them. */
export interface CallListGroup {
  schoolId: number;
  schoolName: string;
  classId: number;
  grade: number;
  className: string;
  rows: CallListRow[];
}

export interface CallList {
  message: Pick<WatchedMessage, 'id' | 'category' | 'subject' | 'state'> & { createdAt: string };
  /** 緊急連絡: the leaflet promises these households a phone call. Otherwise informational. */
  mustCall: boolean;
  households: number;
  /** Households whose answer needs a call, by class: phoned first, shown before `groups`. */
  actionNeeded: CallListGroup[];
  /** Every other household on the list, by class. */
  groups: CallListGroup[];
  /** The one school the board narrowed the list to, or null for the viewer's whole part. */
  school: number | null;
  /** The board's jump list: every school the message targeted, in the board's order. */
  schools: CallListSchool[];
  /** When the list was read: what a printed copy was current at. */
  generatedAt: string;
}

function answerOf(confirm: ConfirmRequest | null, choice: number | null): CallListAnswer | null {
  if (!confirm || choice === null) return null;
  return {
    choice,
    label: choiceLabels(confirm)[choice] ?? String(choice),
    needsCall: answerNeedsCall(confirm, choice),
  };
}

/**
 * A household appears once, under its youngest targeted child's class within the viewer's
 * part (a teacher: their own class), with every targeted sibling named in the row.
 */
function groupByClass(
  households: CallListHousehold[],
  filter: MessagePart,
  failing: Set<number>,
  confirm: ConfirmRequest | null,
): CallListGroup[] {
  const groups = new Map<number, CallListGroup & { order: number; schoolRank: number }>();
  // The households come in the board's order of schools (schoolOrder); groups keep it.
  const schoolRanks = new Map<number, number>();
  for (const household of households) {
    if (!schoolRanks.has(household.schoolId)) {
      schoolRanks.set(household.schoolId, schoolRanks.size);
    }
    const home =
      household.children.find(
        (child) => filter.classId === undefined || child.classId === filter.classId,
      ) ?? household.children[0];
    if (!home) continue;
    let group = groups.get(home.classId);
    if (!group) {
      group = {
        schoolId: household.schoolId,
        schoolName: household.schoolName,
        classId: home.classId,
        grade: home.grade,
        className: home.className,
        order: home.classOrder,
        schoolRank: schoolRanks.get(household.schoolId) ?? 0,
        rows: [],
      };
      groups.set(home.classId, group);
    }
    group.rows.push({
      householdId: household.householdId,
      reason: household.reason,
      answer: answerOf(confirm, household.answer),
      addressFailing: failing.has(household.householdId),
      children: household.children.map(({ name, kana, grade, className }) => ({
        name,
        kana,
        grade,
        className,
      })),
      phones: household.phones.map(({ label, number }) => ({ label, number })),
      mark: household.mark,
      markedBy: household.markedBy,
      markedAt: household.markedAt?.toISOString() ?? null,
    });
  }
  const kanaOf = (row: CallListRow) => row.children[0]?.kana ?? '';
  return [...groups.values()]
    .sort(
      (a, b) =>
        a.schoolRank - b.schoolRank ||
        a.grade - b.grade ||
        a.order - b.order ||
        a.className.localeCompare(b.className, 'ja'),
    )
    .map(({ order: _order, schoolRank: _schoolRank, ...group }) => ({
      ...group,
      rows: group.rows.sort((a, b) => kanaOf(a).localeCompare(kanaOf(b), 'ja')),
    }));
}

/**
 * The board's jump list. The whole district's list already holds every school's households:
 * they are counted, not walked for again (a second walk doubles the wait on a big database).
 */
async function jumpList(
  ctx: CoreContext,
  messageId: number,
  filter: MessagePart,
  households: CallListHousehold[],
): Promise<CallListSchool[]> {
  if (filter.schoolId !== undefined) return countCallListHouseholdsBySchool(ctx.db, messageId);
  const counts = new Map<number, number>();
  for (const household of households) {
    counts.set(household.schoolId, (counts.get(household.schoolId) ?? 0) + 1);
  }
  const schools = await listTargetedSchools(ctx.db, messageId);
  return schools.map((school) => ({ ...school, households: counts.get(school.schoolId) ?? 0 }));
}

/** How a read of the call list is audited: opened, downloaded (CSV), or not (a live refresh). */
export type CallListAudit = 'view' | 'export' | false;

/**
 * The call list of a message within the staff member's scope, or null when the message is
 * not theirs to see. Opening or downloading it is audited (who looked at which families' phone
 * numbers); the page's live refreshes while it stays open pass `audit: false`.
 */
export async function loadCallList(
  ctx: CoreContext,
  staff: ActingStaff,
  messageId: number,
  options: { audit: CallListAudit; school?: number | undefined },
): Promise<CallList | null> {
  const message = await findMessageInScope(ctx.db, messageId, scopeFilter(staff.scope));
  if (!message) return null;
  // The board narrows the list to one school; others see one school (or class) only, so a
  // `school` of theirs is ignored.
  const filter = narrowedScopeFilter(staff.scope, options.school) ?? scopeFilter(staff.scope);
  const households = await listCallListHouseholds(ctx.db, messageId, filter);
  const schools = seesWholeDistrict(staff.scope)
    ? await jumpList(ctx, messageId, filter, households)
    : [];
  const { confirm } = message;
  const needsCall = (household: CallListHousehold) =>
    confirm !== null && answerNeedsCall(confirm, household.answer);
  const failing = await householdsWithFailingAddress(
    ctx.db,
    households.map((household) => household.householdId),
  );
  if (options.audit) {
    await recordAuditEvent(ctx.db, {
      districtId: staff.scope.districtId,
      schoolId: filter.schoolId ?? null,
      actorType: 'staff',
      actorId: staff.id,
      action: options.audit === 'export' ? 'callList.export' : 'callList.view',
      subjectType: 'message',
      subjectId: String(messageId),
      detail: {
        households: households.length,
        apiTokenId: staff.apiTokenId,
        ...(filter.schoolId === undefined ? {} : { schoolId: filter.schoolId }),
      },
    });
  }
  return {
    message: {
      id: message.id,
      category: message.category,
      subject: finalSubject(message.category, message.subject),
      state: message.state,
      createdAt: message.createdAt.toISOString(),
    },
    mustCall: message.category === 'emergency_contact',
    households: households.length,
    actionNeeded: groupByClass(households.filter(needsCall), filter, failing, confirm),
    groups: groupByClass(
      households.filter((household) => !needsCall(household)),
      filter,
      failing,
      confirm,
    ),
    school: seesWholeDistrict(staff.scope) ? (options.school ?? null) : null,
    schools,
    generatedAt: new Date().toISOString(),
  };
}

/** A mark as stored, and where the households' children are, for the rooms to tell. */
export interface StoredMark {
  event: CallListMarkEvent;
  districtId: number;
  places: { schoolId: number; classId: number }[];
}

/**
 * Marks a call-list row (or clears its mark) for a household the staff member may see on
 * this message's call list, and audits it. Null when the message or the household is not
 * within their scope.
 */
export async function markCallListRow(
  ctx: CoreContext,
  staff: ActingStaff,
  input: { messageId: number; householdId: number; mark: CallMark | null },
): Promise<StoredMark | null> {
  const message = await findMessageInScope(ctx.db, input.messageId, scopeFilter(staff.scope));
  if (!message) return null;
  const places = await targetedHouseholdPlaces(
    ctx.db,
    input.messageId,
    input.householdId,
    scopeFilter(staff.scope),
  );
  if (places.length === 0) return null;
  const markedAt = await setCallListMark(ctx.db, { ...input, staffUserId: staff.id });
  await recordAuditEvent(ctx.db, {
    districtId: staff.scope.districtId,
    // The household's school: its targeted children are at one school.
    schoolId: places[0]?.schoolId ?? null,
    actorType: 'staff',
    actorId: staff.id,
    action: 'callList.mark',
    subjectType: 'household',
    subjectId: String(input.householdId),
    detail: { messageId: input.messageId, mark: input.mark },
  });
  return {
    event: {
      messageId: input.messageId,
      householdId: input.householdId,
      mark: input.mark,
      staffName: input.mark === null ? null : staff.displayName,
      markedAt: markedAt.toISOString(),
    },
    districtId: message.districtId,
    places,
  };
}
