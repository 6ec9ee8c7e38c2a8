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
import { idFrom, jstText, textFrom } from '$lib/server/staff-admin';
import type { Actions, PageServerLoad } from './$types';

// 定期配信: the board's recurring monthly mail. Board only; each run is sent by the
// dispatcher's loop (runDueSchedule) as a normal message of the schedule's author.

const BOARD_ONLY = '定期配信は教育委員会だけが使えるページです。';

export const load: PageServerLoad = async ({ locals }) => {
  const scope = requireBoard(requireStaff(locals).scope, BOARD_ONLY);
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
    requireBoard(staff.scope, BOARD_ONLY);
    const form = await request.formData();
    const values = composeValuesFrom(form);
    const dayOfMonth = textFrom(form.get('dayOfMonth'));
    const timeOfDay = textFrom(form.get('timeOfDay'));
    const result = await createSchedule(locals.ctx, staff, {
      message: messageInputOf({ ...values, when: 'now' }),
      dayOfMonth,
      timeOfDay,
    });
    if (!result.ok) {
      return fail(result.status, { values, dayOfMonth, timeOfDay, errors: result.fields });
    }
    return { created: jstText(result.nextRunAt) };
  },
  deactivate: async ({ request, locals }) => {
    const staff = requireStaff(locals);
    requireBoard(staff.scope, BOARD_ONLY);
    const scheduleId = idFrom((await request.formData()).get('scheduleId'));
    const stopped =
      scheduleId !== undefined && (await deactivateSchedule(locals.ctx, staff, scheduleId));
    if (!stopped) return fail(404, { notFound: true });
    return { deactivated: true };
  },
};
