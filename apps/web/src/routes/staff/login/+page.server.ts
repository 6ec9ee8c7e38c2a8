import { fail, redirect } from '@sveltejs/kit';
import type { MessageKey } from '$lib/i18n';
import { beginSession } from '$lib/server/auth/cookies';
import { knownDeviceOf, rememberDevice } from '$lib/server/auth/devices';
import { returnPath } from '$lib/server/auth/guards';
import { attemptStaffLogin, staffLoginSchema } from '$lib/server/auth/login';
import type { Actions, PageServerLoad } from './$types';

export const load: PageServerLoad = ({ locals, url }) => {
  if (locals.staff) redirect(303, returnPath(url.searchParams.get('next'), '/staff'));
};

/** The form comes back with the login ID kept (never the password) and one message. */
function refuse(status: number, login: FormDataEntryValue | null, error: MessageKey, minutes = 0) {
  return fail(status, {
    login: typeof login === 'string' ? login.slice(0, 100) : '',
    error,
    minutes,
  });
}

export const actions: Actions = {
  login: async ({ request, locals, cookies, url, getClientAddress }) => {
    const form = await request.formData();
    const login = form.get('login');
    const parsed = staffLoginSchema.safeParse({ login, password: form.get('password') });
    if (!parsed.success) return refuse(400, login, 'staff.login.required');

    const now = new Date();
    const device = knownDeviceOf(cookies, locals.ctx);
    const result = await attemptStaffLogin(
      locals.ctx,
      parsed.data,
      getClientAddress(),
      now,
      device,
    );
    if (!result.ok) {
      return result.reason === 'rate_limited'
        ? refuse(429, login, 'staff.login.rateLimited', Math.ceil(result.retryAfterSeconds / 60))
        : refuse(400, login, 'staff.login.invalid');
    }
    await beginSession(
      cookies,
      locals.ctx,
      { kind: 'staff', staffUserId: result.staffUserId },
      now,
    );
    rememberDevice(cookies, locals.ctx, result.staffUserId, device);
    redirect(303, returnPath(url.searchParams.get('next'), '/staff'));
  },
};
