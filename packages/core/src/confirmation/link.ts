import {
  findConfirmationMessage,
  findConfirmationPage,
  type ConfirmationMessage,
  type ConfirmationPage,
  type TapOutcome,
} from '@renraku/db';
import { ServiceError, type TemplateLanguage } from '@renraku/shared';
import { deliveryOfConfirmToken } from '@renraku/shared/confirm-token';
import type { CoreContext } from '../context';
import type { ConfirmationRecorder } from './recorder';

// The family's personal link (/c/<token>): a GET shows the message and its buttons and records
// nothing (mail scanners and link previews fetch links); only the POST of a button answers.

/** The page of a token; not_found for a malformed, forged or expired token alike. */
export async function confirmationPageOf(
  ctx: Pick<CoreContext, 'db' | 'keys'>,
  token: string,
): Promise<ConfirmationPage> {
  const deliveryId = deliveryOfConfirmToken(ctx.keys, token);
  const page = deliveryId === null ? null : await findConfirmationPage(ctx.db, deliveryId);
  if (!page) throw new ServiceError('not_found', 'confirm.error.notFound');
  return page;
}

/** What a tap did, for the page to say. */
export type LinkAnswer = Extract<TapOutcome, { kind: 'recorded' }> & { deliveryId: number };

/** Records a button's POST; not_found as for the page, invalid for a choice it does not have. */
export async function confirmByLink(
  ctx: Pick<CoreContext, 'keys'>,
  recorder: ConfirmationRecorder,
  token: string,
  choice: number,
): Promise<LinkAnswer> {
  const deliveryId = deliveryOfConfirmToken(ctx.keys, token);
  if (deliveryId === null) throw new ServiceError('not_found', 'confirm.error.notFound');
  if (!Number.isInteger(choice) || choice < 0 || choice > 32767) {
    throw new ServiceError('invalid', 'confirm.error.choice');
  }
  const outcome = await recorder.record({ deliveryId, choice, channel: 'link', replyWords: null });
  if (outcome.kind === 'unknown') throw new ServiceError('not_found', 'confirm.error.notFound');
  if (outcome.kind === 'out_of_range') throw new ServiceError('invalid', 'confirm.error.choice');
  return { ...outcome, deliveryId };
}

/** Messages kept at once; a city sends a few confirming messages a day. */
const KEPT_MESSAGES = 32;
/** How long one is kept: a school renamed meanwhile shows its new name soon enough. */
const KEPT_MS = 5 * 60_000;

/** The page after a tap, as the tap's own statement and a kept message let it be told. */
export interface TappedPages {
  /** `language`: the one the page was shown in (it only picks which of the texts to show). */
  pageAfter(
    answer: LinkAnswer,
    choice: number,
    language: TemplateLanguage,
  ): Promise<ConfirmationPage>;
}

/**
 * In a burst every family's tap answers with the page of the same message: reading it again
 * for each tap would double the burst's statements, so the web process keeps it (the message
 * does not change once sent) and the tap's statement brings the family's own part.
 */
export function createTappedPages(ctx: Pick<CoreContext, 'db'>): TappedPages {
  const kept = new Map<number, { message: ConfirmationMessage; until: number }>();

  async function messageOf(messageId: number): Promise<ConfirmationMessage> {
    const now = Date.now();
    const hit = kept.get(messageId);
    if (hit && hit.until > now) return hit.message;
    const message = await findConfirmationMessage(ctx.db, messageId);
    if (!message) throw new ServiceError('not_found', 'confirm.error.notFound');
    kept.delete(messageId);
    kept.set(messageId, { message, until: now + KEPT_MS });
    // A Map iterates in insertion order: the first key is the oldest.
    const oldest = kept.keys().next();
    if (kept.size > KEPT_MESSAGES && !oldest.done) kept.delete(oldest.value);
    return message;
  }

  return {
    async pageAfter(answer, choice, language) {
      return {
        ...(await messageOf(answer.messageId)),
        language,
        deliveryId: answer.deliveryId,
        children: answer.children,
        answer: { choice, confirmedAt: new Date(), late: answer.late },
      };
    },
  };
}
