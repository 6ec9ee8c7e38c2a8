import { fail } from '@sveltejs/kit';
import { listMessageSchedules, listTargetOptions } from '@renraku/db';
import { BODY_MAX, schoolYearOf, scopeFilter, SUBJECT_MAX } from '@renraku/shared';
import { requireBoard, requireStaff } from '$lib/server/auth/guards';
import {
  composeValuesFrom,
  createSchedule,
  deactivateSchedule,
  messageInputOf,
} from '$lib/server/messages';
import { refusedFields } from '$lib/server/refusal';
import { idFrom, jstText, textFrom } from '$lib/server/staff-admin';
import type { Actions, PageServerLoad } from './$types';

// 定期配信: the board's recurring monthly mail. Board only; each run is sent by the
// dispatcher's loop (runDueSchedule) as a normal message of the schedule's author.

const BOARD_ONLY = 'refusal.page.schedulesBoardOnly';

export const load: PageServerLoad = async ({ locals }) => {
  const scope = requireBoard(requireStaff(locals).scope, locals.locale, BOARD_ONLY);
  const { db } = locals.ctx;
  const [schedules, options] = await Promise.all([
    listMessageSchedules(db, scope.districtId),
    listTargetOptions(db, scopeFilter(scope), schoolYearOf(new Date())),
  ]);
  return {
    schools: options.schools,
    limits: { subject: SUBJECT_MAX, body: BODY_MAX },
    schedules: schedules.map((schedule) => ({
      ...schedule,
      nextRunAt: jstText(schedule.nextRunAt),
    })),
  };
};

export const actions: Actions = {
  create: async ({ request, locals }) => {
    const staff = requireStaff(locals);
    requireBoard(staff.scope, locals.locale, BOARD_ONLY);
    const form = await request.formData();
    const values = composeValuesFrom(form);
    const dayOfMonth = textFrom(form.get('dayOfMonth'));
    const timeOfDay = textFrom(form.get('timeOfDay'));
    try {
      const { nextRunAt } = await createSchedule(locals.ctx, staff, {
        message: messageInputOf({ ...values, when: 'now' }),
        dayOfMonth,
        timeOfDay,
      });
      return { created: jstText(nextRunAt) };
    } catch (caught) {
      return refusedFields(caught, locals.locale, { values, dayOfMonth, timeOfDay });
    }
  },
  deactivate: async ({ request, locals }) => {
    const staff = requireStaff(locals);
    requireBoard(staff.scope, locals.locale, BOARD_ONLY);
    const scheduleId = idFrom((await request.formData()).get('scheduleId'));
    const stopped =
      scheduleId !== undefined && (await deactivateSchedule(locals.ctx, staff, scheduleId));
    if (!stopped) return fail(404, { notFound: true });
    return { deactivated: true };
  },
};
