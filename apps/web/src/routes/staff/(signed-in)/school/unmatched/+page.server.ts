import { fail } from '@sveltejs/kit';
import { listDistrictSchools } from '@renraku/db';
import { scopeFilter } from '@renraku/shared';
import type { MessageKey } from '$lib/i18n';
import { requireAdmin, requireStaff } from '$lib/server/auth/guards';
import { listUnmatched, matchToStudent, moveToClass } from '$lib/server/roster';
import { actorOf, idFrom, jstText } from '$lib/server/staff-admin';
import { loaded, refused } from '$lib/server/refusal';
import type { Actions, PageServerLoad } from './$types';

// 学校管理 › 名簿と一致しない登録: the school admin's (or, with ?school=ID, the board's) list of
// registrations no roster student matches, to link each to its student or move it.

export const load: PageServerLoad = async ({ locals, url }) => {
  const staff = requireStaff(locals);
  const scope = requireAdmin(staff.scope, locals.locale);
  // A school admin's own school; the board names one.
  const schoolId = scopeFilter(scope).schoolId ?? idFrom(url.searchParams.get('school'));
  if (schoolId === undefined) {
    return {
      listing: undefined,
      schools: await listDistrictSchools(locals.ctx.db, scope.districtId),
    };
  }
  const listing = await loaded(
    listUnmatched(locals.ctx.db, actorOf(staff), { schoolId }),
    locals.locale,
  );
  return {
    listing: {
      ...listing,
      registrations: listing.registrations.map(({ createdAt, ...row }) => ({
        ...row,
        registeredAt: jstText(createdAt),
      })),
    },
    schools: [],
  };
};

export const actions: Actions = {
  match: async ({ locals, request }) => {
    const staff = requireStaff(locals);
    const form = await request.formData();
    const registrationId = idFrom(form.get('registrationId'));
    const studentId = idFrom(form.get('studentId'));
    if (registrationId === undefined || studentId === undefined) {
      return fail(400, { done: undefined, error: '登録と児童生徒を選んでください。' });
    }
    try {
      await matchToStudent(locals.ctx.db, actorOf(staff), { registrationId, studentId });
      return { done: 'admin.unmatched.matched' as MessageKey, error: undefined };
    } catch (caught) {
      return refused(caught, locals.locale, { done: undefined });
    }
  },
  move: async ({ locals, request }) => {
    const staff = requireStaff(locals);
    const form = await request.formData();
    const registrationId = idFrom(form.get('registrationId'));
    const classId = idFrom(form.get('classId'));
    if (registrationId === undefined || classId === undefined) {
      return fail(400, { done: undefined, error: '登録とクラスを選んでください。' });
    }
    try {
      const { matched } = await moveToClass(locals.ctx.db, actorOf(staff), {
        registrationId,
        classId,
      });
      const done: MessageKey = matched ? 'admin.unmatched.movedMatched' : 'admin.unmatched.moved';
      return { done, error: undefined };
    } catch (caught) {
      return refused(caught, locals.locale, { done: undefined });
    }
  },
};
