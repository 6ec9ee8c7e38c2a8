import { error } from '@sveltejs/kit';
import { withLinks } from '@renraku/core/attachments';
import { ServiceError } from '@renraku/shared';
import { choiceLabelsIn } from '$lib/confirm-labels';
import { t } from '$lib/i18n';
import {
  familyLocale,
  familyReading,
  messageTimeOf,
  postedChoice,
} from '$lib/server/confirmation/family-pages';
import { confirmFromInbox, loadAccount, loadInbox } from '$lib/server/parents';
import { field, requireParent } from '$lib/server/parents/pages';
import { refused, refusalText } from '$lib/server/refusal';
import type { Actions, PageServerLoad } from './$types';

// The parent's inbox: a plain page of messages with the confirmation buttons of each, as on the
// mail's link. A GET only reads; only the POST of a button answers (for the household).

/** A cursor or a message id: a message's id, digits only. */
const ID = /^\d{1,12}$/;

export const load: PageServerLoad = async ({ locals, url }) => {
  const registrationId = requireParent(locals);
  const before = url.searchParams.get('before');
  if (before !== null && !ID.test(before)) error(400, t(locals.locale, 'inbox.badCursor'));
  const cursor = before === null ? undefined : Number(before);
  const page = await loadInbox(locals.ctx, registrationId, cursor);
  // Every message of the inbox is the registration's, in its one language.
  const language = page.messages[0]?.language ?? 'ja';
  const locale = familyLocale(language, locals.locale);
  const unmatched =
    page.messages.length === 0 &&
    cursor === undefined &&
    (await loadAccount(locals.ctx, registrationId))?.account.studentId === null;
  return {
    locale,
    before,
    olderBefore: page.olderBefore,
    unmatched,
    messages: page.messages.map((message) => {
      const labels = message.confirm ? choiceLabelsIn(message.confirm, locale) : [];
      return {
        id: message.messageId,
        senderName: message.senderName,
        authorName: message.authorName,
        sentAt: messageTimeOf(message.sentAt, locale),
        reading: familyReading(message, message.language, locals.locale),
        attachments: withLinks(locals.ctx.keys, message.attachments),
        children: message.children,
        asks: message.confirm !== null,
        answerable: message.answerDeliveryId !== null,
        open: message.takesAnswers,
        deadline: message.deadlineAt && messageTimeOf(message.deadlineAt, locale),
        labels,
        answer: message.answer && {
          label: labels[message.answer.choice] ?? String(message.answer.choice),
          at: messageTimeOf(message.answer.confirmedAt, locale),
          late: message.answer.late,
        },
      };
    }),
  };
};

export const actions: Actions = {
  confirm: async ({ locals, request }) => {
    const registrationId = requireParent(locals);
    const { ctx, locale } = locals;
    const form = await request.formData();
    const id = field(form, 'message', 20);
    const messageId = ID.test(id) ? Number(id) : NaN;
    try {
      const answered = await confirmFromInbox(
        ctx,
        ctx.confirmations,
        registrationId,
        messageId,
        postedChoice(form),
      );
      return { answered };
    } catch (caught) {
      // Another family's message is as unknown as one that does not exist.
      if (caught instanceof ServiceError && caught.kind === 'not_found') {
        error(404, refusalText(caught, locale));
      }
      return refused(caught, locale, { messageId });
    }
  },
};
