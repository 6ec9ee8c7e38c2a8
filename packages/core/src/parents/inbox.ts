import { findInboxMessage, inboxOf, type InboxMessage } from '@renraku/db';
import { isChoiceOf, ServiceError } from '@renraku/shared';
import type { ConfirmationRecorder } from '../confirmation';
import type { CoreContext } from '../context';

// The parent's inbox: every message sent to the household's children since the registration,
// and its confirmation buttons. An answer from the inbox goes through the same recorder as a
// tap on the mail's link (the last answer wins, late after the deadline, one doorbell for the
// dashboards), recorded for a mail of the message that serves the household, with the channel
// 'link': it is a button on one of our pages, as the link's is.

/** Messages on one page of the inbox: a feature phone's page stays small. */
export const INBOX_PAGE_SIZE = 20;

export interface InboxPage {
  messages: InboxMessage[];
  /** The cursor of the next, older page (`before`); null on the last page. */
  olderBefore: number | null;
}

/** One page of the inbox, newest first; `before` is the last message of the page before. */
export async function loadInbox(
  ctx: Pick<CoreContext, 'db'>,
  registrationId: number,
  before?: number,
): Promise<InboxPage> {
  const { messages, more } = await inboxOf(ctx.db, registrationId, {
    before,
    limit: INBOX_PAGE_SIZE,
  });
  const last = messages.at(-1);
  return { messages, olderBefore: more && last ? last.messageId : null };
}

/** What an answer from the inbox did, for the page to say. */
export interface InboxAnswer {
  messageId: number;
  choice: number;
  /** The answer it replaced, null for a first answer or the same one again. */
  previousChoice: number | null;
  late: boolean;
}

/**
 * Records the household's answer to a message of its inbox: not_found for a message that is
 * not in this registration's inbox (another family's, or none), invalid for one that asks
 * nothing or no longer takes answers, and for a choice the message does not have.
 */
export async function confirmFromInbox(
  ctx: Pick<CoreContext, 'db'>,
  recorder: ConfirmationRecorder,
  registrationId: number,
  messageId: number,
  choice: number,
): Promise<InboxAnswer> {
  const message = Number.isSafeInteger(messageId)
    ? await findInboxMessage(ctx.db, registrationId, messageId)
    : null;
  if (!message) throw new ServiceError('not_found', 'inbox.error.notFound');
  if (!message.confirm || message.answerDeliveryId === null) {
    throw new ServiceError('invalid', 'inbox.error.notAsking');
  }
  if (!isChoiceOf(message.confirm, choice)) {
    throw new ServiceError('invalid', 'confirm.error.choice');
  }
  const outcome = await recorder.record({
    deliveryId: message.answerDeliveryId,
    choice,
    channel: 'link',
    replyWords: null,
  });
  if (outcome.kind === 'out_of_range') throw new ServiceError('invalid', 'confirm.error.choice');
  // Closed between the read and the write (the 30th day ended): as if it had been closed.
  if (outcome.kind === 'unknown') throw new ServiceError('invalid', 'inbox.error.notAsking');
  return {
    messageId,
    choice,
    previousChoice: outcome.previousChoice === choice ? null : outcome.previousChoice,
    late: outcome.late,
  };
}
