import { error, fail } from '@sveltejs/kit';
import { requireStaff } from '$lib/server/auth/guards';
import { messageAttachments } from '@renraku/core/attachments';
import { mayResend, resendUnconfirmed } from '@renraku/core/confirmation';
import { messageForDashboard } from '@renraku/core/live';
import { cancelScheduledSend, scheduleView } from '$lib/server/messages';
import { refused, refusalText } from '$lib/server/refusal';
import { idFrom } from '$lib/server/staff-admin';
import { t } from '$lib/i18n';
import { ServiceError } from '@renraku/shared';
import type { Actions, PageServerLoad } from './$types';

export const load: PageServerLoad = async ({ locals, params }) => {
  const staff = requireStaff(locals);
  const messageId = idFrom(params.id);
  const found = messageId && (await messageForDashboard(locals.ctx, staff.scope, messageId));
  // Another school's message looks exactly like one that does not exist.
  if (!found) error(404, 'not found');
  // Only a message sent at a time has a schedule to show (and perhaps to cancel).
  const schedule = found.message.scheduledAt
    ? await scheduleView(locals.ctx, staff.scope, found.message.id)
    : null;
  const resendable = await mayResend(locals.ctx, found.message.id);
  const attachments = await messageAttachments(locals.ctx.db, found.message.id);
  return { ...found, schedule, resendable, attachments };
};

export const actions: Actions = {
  // 予約を取り消す: the form's checkbox is the confirmation, so it works without JavaScript.
  cancel: async ({ request, locals, params }) => {
    const staff = requireStaff(locals);
    const messageId = idFrom(params.id);
    if (!messageId) {
      return fail(404, { cancelError: t(locals.locale, 'cancel.error.notFound') });
    }
    if ((await request.formData()).get('confirm') !== 'yes') {
      return fail(400, { cancelError: t(locals.locale, 'cancel.error.confirm') });
    }
    try {
      await cancelScheduledSend(locals.ctx, staff, messageId, 'form');
    } catch (caught) {
      if (!(caught instanceof ServiceError)) throw caught;
      return fail(caught.status, { cancelError: refusalText(caught, locals.locale) });
    }
  },
  // 未確認の家庭に再送: the first press only asks; the confirmed second one re-sends.
  resend: async ({ request, locals, params }) => {
    const staff = requireStaff(locals);
    const messageId = idFrom(params.id);
    if (!messageId) error(404, 'not found');
    if ((await request.formData()).get('confirm') !== 'yes')
      return { resendConfirm: true as const };
    try {
      const { sent } = await resendUnconfirmed(locals.ctx, staff, messageId, 'form');
      return { resent: sent };
    } catch (caught) {
      return refused(caught, locals.locale, { resendFailed: true as const });
    }
  },
};
