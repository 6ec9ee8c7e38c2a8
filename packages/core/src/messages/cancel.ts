import {
  cancelScheduledMessage,
  findMessageInScope,
  findScheduledSend,
  recordAuditEvent,
  type ScheduledSend,
} from '@renraku/db';
import { scopeFilter, ServiceError, type StaffScope } from '@renraku/shared';
import type { CoreContext } from '../context';
import type { ActingStaff } from '../acting-staff';
import type { SendChannel } from './send';

// 予約の取り消し: a scheduled message can be cancelled until a dispatcher fans it out; from
// then on the send is irreversible. The message page's ?/cancel and
// POST /api/v1/messages/:id/cancel share this service.

/** Why a cancel is refused, as ServiceErrors: nothing was changed. */
const refusals = {
  not_found: () => new ServiceError('not_found', 'cancel.error.notFound'),
  outside_scope: () =>
    new ServiceError('forbidden', 'cancel.error.outsideScope', {}, { code: 'outside_scope' }),
  already_started: () =>
    new ServiceError('conflict', 'cancel.error.started', {}, { code: 'already_started' }),
  already_cancelled: () =>
    new ServiceError(
      'conflict',
      'cancel.error.alreadyCancelled',
      {},
      { code: 'already_cancelled' },
    ),
} as const;

/**
 * Whether the scope may cancel the message, by the rule that lets it send one: the board any
 * of its district, a school admin any its school sent, a teacher one its school sent to
 * exactly its own class. A board's message is the board's to cancel, whatever it targets.
 */
function mayCancel(scope: StaffScope, message: ScheduledSend): boolean {
  if (message.districtId !== scope.districtId) return false;
  if (scope.role === 'board') return true;
  if (message.schoolId !== scope.schoolId) return false;
  if (scope.role === 'school_admin') return true;
  const { target } = message;
  return (
    target.kind === 'classes' &&
    target.classIds.length === 1 &&
    target.classIds[0] === scope.classId
  );
}

/** What the message page says about a scheduled send, for this staff member. */
export interface ScheduleView {
  /** Still waiting for its time: no dispatcher has fanned it out. */
  waiting: boolean;
  /** Waiting, and this staff member may cancel it: the page offers 「予約を取り消す」. */
  cancellable: boolean;
}

/** Whether a scheduled message still waits, and whether the staff member may cancel it. */
export async function scheduleView(
  ctx: Pick<CoreContext, 'db'>,
  scope: StaffScope,
  messageId: number,
): Promise<ScheduleView> {
  const found = await findScheduledSend(ctx.db, messageId);
  const waiting =
    found !== null && found.state === 'queued' && !found.fannedOut && found.scheduledAt !== null;
  return { waiting, cancellable: waiting && mayCancel(scope, found) };
}

/**
 * Cancels a scheduled message the staff member may cancel and that no dispatcher has fanned
 * out, audits it (the message, never an address) and announces `messageFinished` so open
 * dashboards show it at once. A message the staff member may not see is not found. Refusals
 * are thrown as ServiceErrors (not_found, outside_scope, already_started, already_cancelled).
 */
export async function cancelScheduledSend(
  ctx: Pick<CoreContext, 'db' | 'bus' | 'logger'>,
  staff: Pick<ActingStaff, 'id' | 'scope' | 'apiTokenId'>,
  messageId: number,
  channel: SendChannel,
  now: Date = new Date(),
): Promise<{ id: number }> {
  const { scope } = staff;
  await ctx.db.transaction(async (tx) => {
    const found =
      (await findMessageInScope(tx, messageId, scopeFilter(scope))) &&
      (await findScheduledSend(tx, messageId));
    if (!found) throw refusals.not_found();
    if (!mayCancel(scope, found)) throw refusals.outside_scope();
    const outcome = await cancelScheduledMessage(tx, messageId, scope.districtId, now);
    if (!outcome) throw refusals.not_found();
    if (!outcome.cancelled) {
      // Fanned out, sending or done (a draft is never stored: createMessage queues).
      throw outcome.state === 'cancelled'
        ? refusals.already_cancelled()
        : refusals.already_started();
    }
    await recordAuditEvent(tx, {
      districtId: scope.districtId,
      schoolId: found.schoolId,
      actorType: 'staff',
      actorId: staff.id,
      action: 'message.cancel',
      subjectType: 'message',
      subjectId: String(messageId),
      detail: {
        scheduledAt: found.scheduledAt?.toISOString() ?? null,
        channel,
        apiTokenId: staff.apiTokenId,
      },
    });
  });
  ctx.logger.info({ messageId, channel }, 'scheduled send cancelled');
  await ctx.bus.publish('messageFinished', { messageId, state: 'cancelled' });
  return { id: messageId };
}
