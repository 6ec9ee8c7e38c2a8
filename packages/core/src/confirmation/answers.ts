import {
  confirmationBreakdown,
  findMessageInScope,
  listConfirmedHouseholds,
  type ConfirmedHousehold,
} from '@renraku/db';
import {
  answerNeedsCall,
  choiceLabels,
  finalSubject,
  narrowedScopeFilter,
  scopeFilter,
  seesWholeDistrict,
  type ConfirmChannel,
  type ConfirmRequest,
  type MessageCategory,
  type StaffScope,
} from '@renraku/shared';
import type { CoreContext } from '../context';
import type { ActingStaff } from '../acting-staff';
import { confirmationFiguresOf, type ConfirmationFigures } from './figures';

// What families answered, as staff read it: the figures in a scope (the progress API), and
// the answering households one per row (the answers API; the web writes its CSV), scoped like
// the call list and never with an address.

/** A message's confirmation figures within the scope (a teacher: its class). */
export async function confirmationFiguresIn(
  ctx: Pick<CoreContext, 'db'>,
  scope: StaffScope,
  messageId: number,
): Promise<ConfirmationFigures> {
  return confirmationFiguresOf(await confirmationBreakdown(ctx.db, messageId), scopeFilter(scope));
}

/** One answering household. */
export interface AnswerRow {
  householdId: number;
  schoolName: string;
  /** Every targeted child of the household: 「山田 太郎（3年1組）」. */
  children: { name: string; kana: string; grade: number; className: string }[];
  /** The choice's index: 0 「確認しました」, 1..N the message's own. */
  choice: number;
  label: string;
  /** The answer is one the sender marked as needing a call. */
  needsCall: boolean;
  channel: ConfirmChannel;
  /** Answered after the deadline. */
  late: boolean;
  replyWords: string | null;
  firstConfirmedAt: string;
  confirmedAt: string;
}

export interface AnswerList {
  message: { id: number; category: MessageCategory; subject: string };
  /** What was asked; null when the message asked nothing (and so has no answers). */
  confirm: ConfirmRequest | null;
  households: number;
  rows: AnswerRow[];
  /** The one school the board narrowed the list to, or null for the viewer's whole part. */
  school: number | null;
  generatedAt: string;
}

const ADDRESS_LIKE = /[^\s<>()[\]"',;:]*@[^\s<>()[\]"',;:]*/g;

/**
 * A reply's words without anything address-like. The inbound server scrubs them when it
 * stores them; the staff's copy does not depend on that alone.
 */
export function withoutAddresses(words: string): string {
  return words.normalize('NFKC').replace(ADDRESS_LIKE, '…').replace(/[@﹫]/g, '…');
}

function rowOf(confirm: ConfirmRequest, household: ConfirmedHousehold): AnswerRow {
  return {
    householdId: household.householdId,
    schoolName: household.schoolName,
    children: household.children.map(({ name, kana, grade, className }) => ({
      name,
      kana,
      grade,
      className,
    })),
    choice: household.choice,
    label: choiceLabels(confirm)[household.choice] ?? String(household.choice),
    needsCall: answerNeedsCall(confirm, household.choice),
    channel: household.channel,
    late: household.late,
    replyWords: household.replyWords === null ? null : withoutAddresses(household.replyWords),
    firstConfirmedAt: household.firstConfirmedAt.toISOString(),
    confirmedAt: household.confirmedAt.toISOString(),
  };
}

/** Schools in the order they came (the board's), then by the youngest child's class and kana. */
function inClassOrder(households: ConfirmedHousehold[]): ConfirmedHousehold[] {
  const schoolRank = new Map<number, number>();
  for (const { schoolId } of households) {
    if (!schoolRank.has(schoolId)) schoolRank.set(schoolId, schoolRank.size);
  }
  return households.toSorted((a, b) => {
    const [x, y] = [a.children[0], b.children[0]];
    return (
      (schoolRank.get(a.schoolId) ?? 0) - (schoolRank.get(b.schoolId) ?? 0) ||
      (x?.grade ?? 0) - (y?.grade ?? 0) ||
      (x?.classOrder ?? 0) - (y?.classOrder ?? 0) ||
      (x?.kana ?? '').localeCompare(y?.kana ?? '', 'ja')
    );
  });
}

/**
 * The households that answered the message within the staff member's scope (the board may
 * narrow it to one school), or null when the message is not theirs to see.
 */
export async function loadAnswers(
  ctx: Pick<CoreContext, 'db'>,
  staff: Pick<ActingStaff, 'scope'>,
  messageId: number,
  options: { school?: number | undefined } = {},
): Promise<AnswerList | null> {
  const message = await findMessageInScope(ctx.db, messageId, scopeFilter(staff.scope));
  if (!message) return null;
  // The call list's rule: the board narrows to one school; others' `school` is ignored.
  const filter = narrowedScopeFilter(staff.scope, options.school) ?? scopeFilter(staff.scope);
  const { confirm } = message;
  const households = confirm
    ? inClassOrder(await listConfirmedHouseholds(ctx.db, messageId, filter))
    : [];
  return {
    message: {
      id: message.id,
      category: message.category,
      subject: finalSubject(message.category, message.subject),
    },
    confirm,
    households: households.length,
    rows: confirm ? households.map((household) => rowOf(confirm, household)) : [],
    school: seesWholeDistrict(staff.scope) ? (options.school ?? null) : null,
    generatedAt: new Date().toISOString(),
  };
}
