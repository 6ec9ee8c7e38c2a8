import { error } from '@sveltejs/kit';
import { withLinks } from '@renraku/core/attachments';
import { confirmationPageOf, confirmByLink } from '@renraku/core/confirmation';
import { finalSubject, ServiceError } from '@renraku/shared';
import { choiceLabelsIn } from '$lib/confirm-labels';
import { messageTimeOf as timeOf, postedChoice } from '$lib/server/confirmation/family-pages';
import { loaded, refused, refusalText } from '$lib/server/refusal';
import type { Actions, PageServerLoad } from './$types';

// The family's personal confirmation link. It must work on a feature phone's browser, so the
// page is server-rendered only: no JavaScript to fetch, the buttons are a plain form post.
export const csr = false;

// A GET only reads: mail scanners and link previews fetch it, and must not answer for a family.
// After a tap the action left the page in locals: a burst's tap costs its batch, no read.
export const load: PageServerLoad = async ({ locals, params }) => {
  const { locale } = locals;
  const page =
    locals.tapped ?? (await loaded(confirmationPageOf(locals.ctx, params.token), locale));
  const labels = choiceLabelsIn(page.confirm, locale);
  return {
    senderName: page.senderName,
    authorName: page.authorName,
    sentAt: timeOf(page.sentAt, locale),
    deadline: page.deadlineAt && timeOf(page.deadlineAt, locale),
    subject: finalSubject(page.category, page.subject),
    body: page.body,
    attachments: withLinks(locals.ctx.keys, page.attachments),
    children: page.children,
    labels,
    answer: page.answer && {
      label: labels[page.answer.choice] ?? String(page.answer.choice),
      at: timeOf(page.answer.confirmedAt, locale),
    },
  };
};

export const actions: Actions = {
  default: async ({ locals, params, request, getClientAddress }) => {
    const { ctx, locale } = locals;
    if (!ctx.confirmTapLimit.allow(getClientAddress())) {
      ctx.metrics.tap('limited');
      error(429, 'busy');
    }
    const choice = postedChoice(await request.formData());
    try {
      const answer = await confirmByLink(ctx, ctx.confirmations, params.token, choice);
      locals.tapped = await ctx.tappedPages.pageAfter(answer, choice);
      ctx.metrics.tap('recorded');
      return {
        answered: {
          choice,
          previousChoice: answer.previousChoice === choice ? null : answer.previousChoice,
          late: answer.late,
        },
      };
    } catch (caught) {
      ctx.metrics.tap('refused');
      if (caught instanceof ServiceError && caught.kind === 'not_found') {
        error(404, refusalText(caught, locale));
      }
      return refused(caught, locale);
    }
  },
};
