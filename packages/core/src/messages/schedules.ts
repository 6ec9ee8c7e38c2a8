import { createMessageSchedule, deactivateMessageSchedule, recordAuditEvent } from '@renraku/db';
import { nextMonthlyRun } from '@renraku/shared';
import type { CoreContext } from '../context';
import type { ActingStaff } from '../acting-staff';
import { checkMessage, refusal } from './send';

// The board's recurring monthly mail (leaflet: 月１回程度, also a check that the system works
// when it matters). Each run is a normal send by the schedule's author; the dispatcher's loop
// turns a due schedule into a message (runDueSchedule).

/** What the schedule form posts. */
export interface ScheduleInput {
  /** The message as the send service takes it (without scheduledAt). */
  message: unknown;
  dayOfMonth: string;
  timeOfDay: string;
}

const TIME_OF_DAY = /^([01]\d|2[0-3]):[0-5]\d$/;
const DAY_OF_MONTH = /^([1-9]|1\d|2[0-8])$/;

/**
 * Stores a monthly schedule (day 1–28 so that every month has it, time in Japan time) and
 * audits it. Classes are not offered as a target: they are renewed every April, while a
 * school or grade stays valid for as long as the schedule runs.
 * @throws ServiceError
 */
export async function createSchedule(
  ctx: Pick<CoreContext, 'db'>,
  staff: Pick<ActingStaff, 'id' | 'scope'>,
  input: ScheduleInput,
  now: Date = new Date(),
): Promise<{ id: number; nextRunAt: Date }> {
  const { scope } = staff;
  if (scope.role !== 'board')
    throw refusal('outside_scope', 'target', 'compose.error.outsideScope');
  if (!DAY_OF_MONTH.test(input.dayOfMonth)) {
    throw refusal('invalid_input', 'dayOfMonth', 'schedules.error.day');
  }
  if (!TIME_OF_DAY.test(input.timeOfDay)) {
    throw refusal('invalid_input', 'timeOfDay', 'schedules.error.time');
  }
  const { dayOfMonth: day, timeOfDay, message } = input;
  const { category, subject, body, target } = await checkMessage(ctx.db, scope, message, now);
  if (target.kind === 'classes')
    throw refusal('invalid_input', 'target', 'schedules.error.classes');
  const dayOfMonth = Number(day);
  const nextRunAt = nextMonthlyRun(now, dayOfMonth, timeOfDay);
  const id = await ctx.db.transaction(async (tx) => {
    const created = await createMessageSchedule(tx, {
      districtId: scope.districtId,
      authorId: staff.id,
      category,
      subject,
      body,
      target,
      dayOfMonth,
      timeOfDay,
      nextRunAt,
    });
    await recordAuditEvent(tx, {
      districtId: scope.districtId,
      actorType: 'staff',
      actorId: staff.id,
      action: 'schedule.create',
      subjectType: 'message_schedule',
      subjectId: String(created.id),
      detail: { category, target, dayOfMonth, timeOfDay },
    });
    return created.id;
  });
  return { id, nextRunAt };
}

/** Stops a schedule of the board's district; returns false when there was none to stop. */
export async function deactivateSchedule(
  ctx: Pick<CoreContext, 'db'>,
  staff: Pick<ActingStaff, 'id' | 'scope'>,
  scheduleId: number,
): Promise<boolean> {
  const { scope } = staff;
  if (scope.role !== 'board') return false;
  return ctx.db.transaction(async (tx) => {
    const stopped = await deactivateMessageSchedule(tx, scope.districtId, scheduleId);
    if (stopped) {
      await recordAuditEvent(tx, {
        districtId: scope.districtId,
        actorType: 'staff',
        actorId: staff.id,
        action: 'schedule.deactivate',
        subjectType: 'message_schedule',
        subjectId: String(scheduleId),
      });
    }
    return stopped;
  });
}
