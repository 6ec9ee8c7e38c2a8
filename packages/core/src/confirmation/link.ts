import { findConfirmationPage, type ConfirmationPage, type TapOutcome } from '@renraku/db';
import { ServiceError } from '@renraku/shared';
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
export type LinkAnswer = Extract<TapOutcome, { kind: 'recorded' }>;

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
  return outcome;
}
