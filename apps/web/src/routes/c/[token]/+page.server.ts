import { error } from '@sveltejs/kit';
import { withLinks } from '@renraku/core/attachments';
import { confirmationPageOf, confirmByLink } from '@renraku/core/confirmation';
import { ServiceError } from '@renraku/shared';
import { choiceLabelsIn } from '$lib/confirm-labels';
import {
  familyReading,
  messageTimeOf as timeOf,
  postedChoice,
  postedLanguage,
} from '$lib/server/confirmation/family-pages';
import { loaded, refused, refusalText } from '$lib/server/refusal';
import type { Actions, PageServerLoad } from './$types';

// The family's personal confirmation link. It must work on a feature phone's browser, so the
// page is server-rendered only: no JavaScript to fetch, the buttons are a plain form post.
export const csr = false;

// A GET only reads: mail scanners and link previews fetch it, and must not answer for a family.
// After a tap the action left the page in locals: a burst's tap costs its batch, no read.
export const load: PageServerLoad = async ({ locals, params }) => {
  const page =
    locals.tapped ?? (await loaded(confirmationPageOf(locals.ctx, params.token), locals.locale));
  // In the household's language, the Japanese below; the page's words in English for them.
  const reading = familyReading(page, page.language, locals.locale);
  const { locale } = reading;
  const labels = choiceLabelsIn(page.confirm, locale);
  return {
    locale,
    reading,
    language: page.language,
    senderName: page.senderName,
    authorName: page.authorName,
    sentAt: timeOf(page.sentAt, locale),
    deadline: page.deadlineAt && timeOf(page.deadlineAt, locale),
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
    const form = await request.formData();
    const choice = postedChoice(form);
    try {
      const answer = await confirmByLink(ctx, ctx.confirmations, params.token, choice);
      locals.tapped = await ctx.tappedPages.pageAfter(answer, choice, postedLanguage(form));
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
