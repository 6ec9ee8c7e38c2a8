import {
  createResend,
  escalateDueMessages,
  findChasedMessage,
  findMessageInScope,
  lockChasedMessage,
  lockDueChase,
  markChased,
  recordAuditEvent,
  type ChasedMessage,
  type Tx,
} from '@renraku/db';
import {
  CATEGORY_TAG,
  finalSubject,
  RESEND_TAG,
  scopeFilter,
  ServiceError,
  type MessagePart,
} from '@renraku/shared';
import type { ActingStaff } from '../acting-staff';
import type { CoreContext } from '../context';

// 追いかけ: a message that asks for confirmation is sent again, tagged 【再送】, to its households
// that have not confirmed. Who is chased: every household of the message (in the presser's
// scope) with no confirmation that a live address of a targeted child's registration can
// reach, whether its first mail was accepted or failed (a new address may exist since),
// except the households a re-send (manual or at the deadline) reached within the message's
// deadline interval. A re-send is its own message (resend_of = the message it chases), with no
// deadline of its own; its answers count for the message it chases.

/** A repeat press within this long of the last re-send sends nothing: a double click, or two staff. */
const REPEAT_WINDOW_MS = 60_000;
/** Escalations one pass makes at most, so a pass stays short. */
const ESCALATIONS_PER_PASS = 100;
/** Chases one pass makes at most; each is one transaction. */
const CHASES_PER_PASS = 20;

/** The re-send's own subject: 【再送】 after the category's tag, as parents will read it. */
function resendSubject(root: ChasedMessage): string {
  return `${RESEND_TAG}${finalSubject(root.category, root.subject).slice(CATEGORY_TAG[root.category].length)}`;
}

/** Makes the re-send of a locked message; the mails queued (0 when nobody is left). */
async function resend(
  tx: Tx,
  root: ChasedMessage,
  authorId: number | null,
  part: MessagePart,
): Promise<{ id: number; recipients: number } | null> {
  return createResend(tx, { root, subject: resendSubject(root), authorId, part });
}

/** Rings the dispatchers and the dashboards; lost notices are caught up by polling. */
function announce(
  ctx: Pick<CoreContext, 'bus' | 'logger'>,
  rootId: number,
  resendId: number | null,
): void {
  const notices = [
    ctx.bus.publish('messageChanged', { messageId: rootId }),
    ...(resendId === null ? [] : [ctx.bus.publish('messageQueued', { messageId: resendId })]),
  ];
  for (const notice of notices) {
    notice.catch((error: unknown) => {
      ctx.logger.warn({ err: error, messageId: rootId }, 're-send notice not published');
    });
  }
}

/** Whether the message page offers 「未確認の家庭に再送」: a sent message that asks for confirmation. */
export async function mayResend(ctx: Pick<CoreContext, 'db'>, messageId: number): Promise<boolean> {
  return (await findChasedMessage(ctx.db, messageId)) !== null;
}

/**
 * 「未確認の家庭に再送」: re-sends a message the staff member can see to the unconfirmed
 * households of their scope (a teacher: their class's), audited. The message's row lock makes
 * two presses run one after the other; a press within a minute of the last re-send (by anyone,
 * or the deadline's) sends nothing and answers `{ sent: 0 }`.
 */
export async function resendUnconfirmed(
  ctx: Pick<CoreContext, 'db' | 'bus' | 'logger'>,
  staff: Pick<ActingStaff, 'id' | 'scope' | 'apiTokenId'>,
  messageId: number,
  channel: 'form' | 'api',
): Promise<{ sent: number }> {
  const filter = scopeFilter(staff.scope);
  const result = await ctx.db.transaction(async (tx) => {
    if (!(await findMessageInScope(tx, messageId, filter))) {
      throw new ServiceError('not_found', 'resend.error.notFound');
    }
    const root = await lockChasedMessage(tx, messageId);
    if (!root) throw new ServiceError('conflict', 'resend.error.notAsking');
    if (root.lastResendAt && Date.now() - root.lastResendAt.getTime() < REPEAT_WINDOW_MS) {
      return { resendId: null, sent: 0 };
    }
    const part = { schoolId: filter.schoolId, classId: filter.classId };
    const made = await resend(tx, root, staff.id, part);
    await recordAuditEvent(tx, {
      districtId: root.districtId,
      schoolId: filter.schoolId ?? root.schoolId,
      actorType: 'staff',
      actorId: staff.id,
      action: 'message.resend_unconfirmed',
      subjectType: 'message',
      subjectId: String(messageId),
      detail: {
        resendId: made?.id ?? null,
        sent: made?.recipients ?? 0,
        channel,
        apiTokenId: staff.apiTokenId,
      },
    });
    return { resendId: made?.id ?? null, sent: made?.recipients ?? 0 };
  });
  if (result.resendId !== null) {
    ctx.logger.info(
      { messageId, resendId: result.resendId, sent: result.sent },
      'unconfirmed re-sent',
    );
    announce(ctx, messageId, result.resendId);
  }
  return { sent: result.sent };
}

/**
 * One pass of the chasing (the dispatcher's loop): each message whose deadline passed gets its
 * automatic re-send (no author) and is marked chased; each whose deadline passed once more
 * since is marked escalated, which puts its unconfirmed households on the call list. Several
 * dispatchers may run it at once (SKIP LOCKED). Returns the messages it changed.
 */
export async function chaseDueMessages(
  ctx: Pick<CoreContext, 'db' | 'bus' | 'logger'>,
): Promise<{ chased: number[]; escalated: number[] }> {
  const chased: number[] = [];
  while (chased.length < CHASES_PER_PASS) {
    const made = await ctx.db.transaction(async (tx) => {
      const root = await lockDueChase(tx);
      if (!root) return null;
      const created = await resend(tx, root, null, {});
      await markChased(tx, root.id);
      return { rootId: root.id, resendId: created?.id ?? null };
    });
    if (!made) break;
    chased.push(made.rootId);
    announce(ctx, made.rootId, made.resendId);
  }
  const escalated = await escalateDueMessages(ctx.db, ESCALATIONS_PER_PASS);
  for (const messageId of escalated) announce(ctx, messageId, null);
  return { chased, escalated };
}
