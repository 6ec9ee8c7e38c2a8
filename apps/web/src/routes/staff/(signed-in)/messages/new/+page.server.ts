import { redirect } from '@sveltejs/kit';
import { listTargetOptions, type UnsentAttachment } from '@renraku/db';
import { heldAttachments, stageAttachments } from '@renraku/core/attachments';
import {
  ATTACHMENT_MAX_FILES,
  BODY_MAX,
  formatByteSize,
  jstLocalOf,
  MESSAGE_CATEGORIES,
  schoolYearOf,
  scopeFilter,
  SUBJECT_MAX,
} from '@renraku/shared';
import { randomToken } from '@renraku/shared/crypto';
import { requireStaff } from '$lib/server/auth/guards';
import { uploadedFilesFrom } from '$lib/server/attachments/http';
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
    attachmentLimits: {
      files: ATTACHMENT_MAX_FILES,
      size: formatByteSize(locals.ctx.env.attachmentMaxBytes),
    },
    schedule: {
      min: jstLocalOf(now),
      max: jstLocalOf(new Date(now.getTime() + SCHEDULE_MAX_DAYS * 86_400_000)),
    },
  };
};

/** The form comes back with what was typed, the uploads it holds and why each field was refused. */
function refusedForm(
  caught: unknown,
  locale: Locale,
  values: ComposeValues,
  attachments: UnsentAttachment[],
) {
  return refusedFields(caught, locale, { step: 'edit' as const, values, attachments });
}

export const actions: Actions = {
  // The files chosen are checked and stored first (a refused file stores nothing), so that a
  // refusal of another field does not make the sender choose them again.
  preview: async ({ request, locals }) => {
    const staff = requireStaff(locals);
    const form = await request.formData();
    const typed = composeValuesFrom(form);
    let attachments;
    try {
      attachments = await stageAttachments(
        locals.ctx,
        staff,
        { keep: typed.attachmentIds, files: await uploadedFilesFrom(form, 'files') },
        locals.ctx.env.attachmentMaxBytes,
        'form',
      );
    } catch (caught) {
      const held = await heldAttachments(locals.ctx, staff, typed.attachmentIds);
      return refusedForm(caught, locals.locale, typed, held);
    }
    const values = { ...typed, attachmentIds: attachments.map((file) => file.id) };
    let previewed;
    try {
      previewed = await previewSend(locals.ctx, staff, messageInputOf(values));
    } catch (caught) {
      return refusedForm(caught, locals.locale, values, attachments);
    }
    const { message, preview } = previewed;
    return {
      step: 'confirm' as const,
      values,
      attachments,
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
  edit: async ({ request, locals }) => {
    const staff = requireStaff(locals);
    const values = composeValuesFrom(await request.formData());
    const attachments = await heldAttachments(locals.ctx, staff, values.attachmentIds);
    return { step: 'edit' as const, values, attachments };
  },
  send: async ({ request, locals }) => {
    const staff = requireStaff(locals);
    const values = composeValuesFrom(await request.formData());
    let sent;
    try {
      sent = await sendMessage(locals.ctx, staff, messageInputOf(values), {
        idempotencyKey: values.idempotencyKey,
        channel: 'form',
        attachmentMaxBytes: locals.ctx.env.attachmentMaxBytes,
      });
    } catch (caught) {
      const held = await heldAttachments(locals.ctx, staff, values.attachmentIds);
      return refusedForm(caught, locals.locale, values, held);
    }
    // The live dashboard of the message (an absolute path: resolve() is relative during SSR).
    redirect(303, `/staff/messages/${sent.id}`);
  },
};
