import { redirect } from '@sveltejs/kit';
import { jstFormat } from '@renraku/shared';
import { loadPushDevices, removePushDevice, setEducationMail } from '@renraku/core/push';
import type { MessageKey } from '$lib/i18n';
import { clearSessionCookie, sessionToken } from '$lib/server/auth/cookies';
import { endSession } from '$lib/server/auth/sessions';
import { loadAccount, removeAddress, rosterStandingOf, setLanguage } from '$lib/server/parents';
import { field, requireParent } from '$lib/server/parents/pages';
import { refused } from '$lib/server/refusal';
import type { Actions, PageServerLoad } from './$types';

/** What the other account pages report back with ?done= after they redirect here. */
const NOTICES: Record<string, MessageKey> = {
  password: 'parent.done.password',
  added: 'parent.attach.added',
  replaced: 'parent.attach.replaced',
  already: 'parent.attach.already',
};

export const load: PageServerLoad = async ({ locals, url }) => {
  const registrationId = requireParent(locals);
  const loaded = await loadAccount(locals.ctx, registrationId);
  if (!loaded) redirect(303, '/account/login');
  const added = jstFormat({ year: 'numeric', month: 'short', day: 'numeric' }, locals.locale);
  const devices = await loadPushDevices(locals.ctx, registrationId);
  return {
    ...loaded,
    devices: devices.map((device) => ({
      id: device.id,
      label: device.label,
      added: added.format(device.createdAt),
    })),
    /** The browser's applicationServerKey; absent when the site offers no push. */
    vapidPublicKey: locals.ctx.env.push.vapid?.publicKey,
    standing: await rosterStandingOf(locals.ctx, loaded.account),
    mailDomain: locals.ctx.env.mailDomain,
    notice: NOTICES[url.searchParams.get('done') ?? ''],
  };
};

export const actions: Actions = {
  remove: async ({ locals, request }) => {
    const registrationId = requireParent(locals);
    const form = await request.formData();
    const addressId = Number(field(form, 'addressId', 20));
    try {
      // Not an id: as unknown as another registration's address.
      await removeAddress(
        locals.ctx,
        registrationId,
        Number.isSafeInteger(addressId) ? addressId : 0,
      );
    } catch (caught) {
      return refused(caught, locals.locale);
    }
    return { message: 'parent.remove.removed' as MessageKey };
  },

  removeDevice: async ({ locals, request }) => {
    const registrationId = requireParent(locals);
    const form = await request.formData();
    const deviceId = Number(field(form, 'deviceId', 20));
    try {
      await removePushDevice(
        locals.ctx,
        registrationId,
        Number.isSafeInteger(deviceId) ? deviceId : 0,
      );
    } catch (caught) {
      return refused(caught, locals.locale);
    }
    return { message: 'push.removed' as MessageKey };
  },

  channels: async ({ locals, request }) => {
    const registrationId = requireParent(locals);
    const form = await request.formData();
    try {
      // A checkbox: present when ticked, absent when not (no JavaScript needed either way).
      await setEducationMail(locals.ctx, registrationId, field(form, 'educationMail', 10) === 'on');
    } catch (caught) {
      return refused(caught, locals.locale);
    }
    return { message: 'push.channels.saved' as MessageKey };
  },

  language: async ({ locals, request }) => {
    const registrationId = requireParent(locals);
    const form = await request.formData();
    try {
      await setLanguage(locals.ctx, registrationId, field(form, 'language', 20));
    } catch (caught) {
      return refused(caught, locals.locale);
    }
    return { message: 'parent.language.saved' as MessageKey };
  },

  logout: async ({ locals, cookies }) => {
    const token = sessionToken(cookies, 'parent');
    if (token) await endSession(locals.ctx.db, token);
    clearSessionCookie(cookies, locals.ctx, 'parent');
    redirect(303, '/account/login');
  },
};
