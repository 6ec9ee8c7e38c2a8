import { redirect } from '@sveltejs/kit';
import { listTargetOptions } from '@renraku/db';
import {
  BODY_MAX,
  jstLocalOf,
  MESSAGE_CATEGORIES,
  schoolYearOf,
  scopeFilter,
  SUBJECT_MAX,
} from '@renraku/shared';
import { randomToken } from '@renraku/shared/crypto';
import { requireStaff } from '$lib/server/auth/guards';
import {
  composeValuesFrom,
  messageInputOf,
  previewSend,
  SCHEDULE_MAX_DAYS,
  sendMessage,
  type ComposeValues,
} from '$lib/server/messages';
import { refusedFields } from '$lib/server/refusal';
import { composeTemplates } from '$lib/server/templates';
import type { Locale } from '$lib/i18n';
import type { Actions, PageServerLoad } from './$types';

// 配信する: step 1 the form (?/preview), step 2 the confirmation with the exact figures
// (?/send, or ?/edit back to the form). The idempotency key is made when the form is first
// shown and travels with it, so a double click or a re-posted confirmation sends once.

export const load: PageServerLoad = async ({ locals, url }) => {
  const staff = requireStaff(locals);
  const now = new Date();
  const options = await listTargetOptions(
    locals.ctx.db,
    scopeFilter(staff.scope),
    schoolYearOf(now),
  );
  // 「全校に緊急連絡」 on the home page opens the form preset: ?category=…&target=district.
  const category = url.searchParams.get('category');
  const preset = {
    category: MESSAGE_CATEGORIES.find((known) => known === category) ?? '',
    targetKind: url.searchParams.get('target') === 'district' ? 'district' : '',
  };
  const { templates, template } = await composeTemplates(
    locals.ctx,
    staff,
    url.searchParams.get('template'),
  );
  return {
    templates,
    template,
    role: staff.scope.role,
    ownSchoolId: staff.scope.role === 'board' ? null : staff.scope.schoolId,
    ownClassId: staff.scope.role === 'teacher' ? staff.scope.classId : null,
    options,
    preset,
    idempotencyKey: randomToken(18),
    limits: { subject: SUBJECT_MAX, body: BODY_MAX },
    schedule: {
      min: jstLocalOf(now),
      max: jstLocalOf(new Date(now.getTime() + SCHEDULE_MAX_DAYS * 86_400_000)),
    },
  };
};

/** The form comes back with what was typed and why each field was refused. */
function refusedForm(caught: unknown, locale: Locale, values: ComposeValues) {
  return refusedFields(caught, locale, { step: 'edit' as const, values });
}

export const actions: Actions = {
  preview: async ({ request, locals }) => {
    const staff = requireStaff(locals);
    const values = composeValuesFrom(await request.formData());
    let previewed;
    try {
      previewed = await previewSend(locals.ctx, staff, messageInputOf(values));
    } catch (caught) {
      return refusedForm(caught, locals.locale, values);
    }
    const { message, preview } = previewed;
    return {
      step: 'confirm' as const,
      values,
      confirm: {
        category: message.category,
        subject: message.subject,
        body: message.body,
        scheduledAt: message.scheduledAt?.toISOString() ?? null,
        asks: message.confirm,
        // Languages this template carries (a free message: Japanese only).
        languages: Object.keys(message.template?.variants ?? { ja: true }),
        ...preview,
      },
    };
  },
  edit: async ({ request }) => {
    return { step: 'edit' as const, values: composeValuesFrom(await request.formData()) };
  },
  send: async ({ request, locals }) => {
    const staff = requireStaff(locals);
    const values = composeValuesFrom(await request.formData());
    let sent;
    try {
      sent = await sendMessage(locals.ctx, staff, messageInputOf(values), {
        idempotencyKey: values.idempotencyKey,
        channel: 'form',
      });
    } catch (caught) {
      return refusedForm(caught, locals.locale, values);
    }
    // The live dashboard of the message (an absolute path: resolve() is relative during SSR).
    redirect(303, `/staff/messages/${sent.id}`);
  },
};
