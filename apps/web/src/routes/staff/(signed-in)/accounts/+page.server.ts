import { requireStaff } from '$lib/server/auth/guards';
import {
  actorOf,
  createStaffAccount,
  idFrom,
  jstText,
  resetStaffPassword,
  setStaffAccountDisabled,
  staffAccountsPage,
  textFrom,
} from '$lib/server/staff-admin';
import { loaded, refused } from '$lib/server/refusal';
import type { Actions, PageServerLoad } from './$types';

// 職員アカウント: the board manages board users and school admins, a school admin its teachers
// (see staff-admin/accounts.ts); teachers get 403.

export const load: PageServerLoad = async ({ locals }) => {
  const staff = requireStaff(locals);
  const page = await loaded(staffAccountsPage(locals.ctx.db, actorOf(staff)), locals.locale);
  return {
    ...page,
    accounts: page.accounts.map((account) => ({
      ...account,
      lastLoginAt: account.lastLoginAt && jstText(account.lastLoginAt),
      disabledAt: account.disabledAt && jstText(account.disabledAt),
      createdAt: jstText(account.createdAt),
      isSelf: account.id === staff.id,
    })),
  };
};

/** The account a row's form acts on. */
async function targetOf(request: Request) {
  const form = await request.formData();
  return { form, staffUserId: idFrom(form.get('staffUserId')) ?? 0 };
}

/** Disables (signing out at once) or enables again an account in the admin's scope. */
function switchAccount(disabled: boolean): Actions[string] {
  return async ({ request, locals }) => {
    const staff = requireStaff(locals);
    const { staffUserId } = await targetOf(request);
    try {
      const { login } = await setStaffAccountDisabled(locals.ctx.db, actorOf(staff), {
        staffUserId,
        disabled,
      });
      return disabled ? { disabled: login } : { enabled: login };
    } catch (caught) {
      return refused(caught, locals.locale);
    }
  };
}

export const actions: Actions = {
  create: async ({ request, locals }) => {
    const staff = requireStaff(locals);
    const form = await request.formData();
    const values = {
      role: textFrom(form.get('role')),
      login: textFrom(form.get('login')).slice(0, 100),
      displayName: textFrom(form.get('displayName')).slice(0, 200),
      schoolId: idFrom(form.get('schoolId')),
      classId: idFrom(form.get('classId')),
    };
    try {
      const created = await createStaffAccount(locals.ctx.db, actorOf(staff), {
        ...values,
        password: textFrom(form.get('password')),
      });
      return { created: created.login };
    } catch (caught) {
      return refused(caught, locals.locale, { values });
    }
  },
  reset: async ({ request, locals }) => {
    const staff = requireStaff(locals);
    const { form, staffUserId } = await targetOf(request);
    try {
      const { login } = await resetStaffPassword(locals.ctx.db, actorOf(staff), {
        staffUserId,
        password: textFrom(form.get('password')),
      });
      return { reset: login };
    } catch (caught) {
      return refused(caught, locals.locale);
    }
  },
  disable: switchAccount(true),
  enable: switchAccount(false),
};
