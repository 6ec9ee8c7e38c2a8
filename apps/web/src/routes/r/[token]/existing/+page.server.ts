import { fail } from '@sveltejs/kit';
import { t, type MessageKey } from '$lib/i18n';
import { beginSession } from '$lib/server/auth/cookies';
import { attachAddress, attemptParentLogin } from '$lib/server/parents';
import {
  field,
  linkGoneIsBadLink,
  registerLinkForPage,
  requireRegisterLink,
} from '$lib/server/parents/pages';
import { refused } from '$lib/server/refusal';
import type { Actions, PageServerLoad } from './$types';

// 「登録済みの人」: log in to add the address this link proves to that registration.

export const load: PageServerLoad = ({ locals, params, request, getClientAddress }) =>
  registerLinkForPage(locals.ctx, request, params.token, getClientAddress());

export const actions: Actions = {
  attach: async ({ locals, params, request, cookies, getClientAddress }) => {
    const { ctx } = locals;
    const link = await requireRegisterLink(ctx, params.token, getClientAddress());
    const form = await request.formData();
    const loginId = field(form, 'loginId', 100);
    const role = field(form, 'role') === 'child' ? 'child' : 'guardian';
    const now = new Date();
    let login;
    try {
      login = await attemptParentLogin(
        ctx,
        { loginId, password: field(form, 'password', 256) },
        getClientAddress(),
        now,
        link.school.districtId,
      );
    } catch (caught) {
      return refused(caught, locals.locale, { loginId, role });
    }
    if (!login.ok) {
      const error = t(locals.locale, 'parent.login.rateLimited', { minutes: login.minutes });
      return fail(429, { loginId, role, error });
    }
    await beginSession(cookies, ctx, { kind: 'parent', registrationId: login.registrationId }, now);
    try {
      const outcome = await attachAddress(ctx, {
        registrationId: login.registrationId,
        token: link.token,
        role,
      });
      return { done: `parent.attach.${outcome}` as MessageKey };
    } catch (caught) {
      linkGoneIsBadLink(caught);
      return refused(caught, locals.locale, { loginId, role });
    }
  },
};
