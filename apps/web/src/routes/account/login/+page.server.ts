import { fail, redirect } from '@sveltejs/kit';
import { t, type MessageKey } from '$lib/i18n';
import { beginSession } from '$lib/server/auth/cookies';
import { returnPath } from '$lib/server/auth/guards';
import { attemptParentLogin } from '$lib/server/parents';
import { field } from '$lib/server/parents/pages';
import { refused } from '$lib/server/refusal';
import type { Actions, PageServerLoad } from './$types';

/** Notices other pages send here after they ended or changed the session. */
const NOTICES: Record<string, MessageKey> = {
  reset: 'parent.reset.done',
  withdrawn: 'parent.withdraw.done',
};

export const load: PageServerLoad = ({ locals, url }) => {
  if (locals.parent) redirect(303, returnPath(url.searchParams.get('next'), '/account'));
  return { notice: NOTICES[url.searchParams.get('done') ?? ''] };
};

export const actions: Actions = {
  login: async ({ locals, request, cookies, url, getClientAddress }) => {
    const form = await request.formData();
    const loginId = field(form, 'loginId', 100);
    const now = new Date();
    let result;
    try {
      result = await attemptParentLogin(
        locals.ctx,
        { loginId, password: field(form, 'password', 256) },
        getClientAddress(),
        now,
      );
    } catch (caught) {
      return refused(caught, locals.locale, { loginId });
    }
    if (!result.ok) {
      const error = t(locals.locale, 'parent.login.rateLimited', { minutes: result.minutes });
      return fail(429, { loginId, error });
    }
    await beginSession(
      cookies,
      locals.ctx,
      { kind: 'parent', registrationId: result.registrationId },
      now,
    );
    redirect(303, returnPath(url.searchParams.get('next'), '/account'));
  },
};
