import {
  consumeToken,
  createRegistrationToken,
  deleteToken,
  findSchoolByRegistrationAddress,
  findUsableToken,
  releaseToken,
  type Db,
} from '@renraku/db';
import { parseSystemMailbox } from '@renraku/shared';
import { hashToken, sealAddress, type Keys } from '@renraku/shared/crypto';
import type { Logger } from '@renraku/shared/logger';
import type { OutgoingMail } from '@renraku/shared/mail';
import { senderRef } from './envelope';
import {
  addressConfirmationReply,
  registrationLinkReply,
  type AnsweredMail,
  type ReplySite,
} from './replies';

// What an empty mail to one of our addresses does: a school's registration address issues a
// registration link, add-<token>@ a confirmation link for a further address of a registration.
// A link's token exists only if its mail was handed to the relay: when sending fails the token
// is withdrawn and the SMTP client is told to retry, so a parent never holds a dead link and
// the phone's mail server tries again by itself.

/** A recipient the server accepted, as RCPT TO resolved it. */
export type Recipient =
  | { kind: 'school'; school: { id: number; code: string; name: string } }
  | { kind: 'add_address'; mailboxTokenId: number; registrationId: number }
  /** A delivery's return path: read by the bounce intake, never answered. */
  | { kind: 'bounce'; tag: string }
  /** A confirming mail's Reply-To: read as the family's answer, never answered. */
  | { kind: 'reply'; tag: string }
  /** Accepted and dropped: no-reply. */
  | { kind: 'sink'; mailbox: 'no_reply' };

/** The recipients whose mail deserves an answer (a link), within the limits. */
export type AnsweredRecipient = Extract<Recipient, { kind: 'school' | 'add_address' }>;

/** Whether a recipient's mail is answered, and so counted against the senders' limits. */
export function isAnswered(recipient: Recipient | undefined): recipient is AnsweredRecipient {
  return recipient?.kind === 'school' || recipient?.kind === 'add_address';
}

/** Everything answering needs, fixed when the server starts. */
export interface Intake {
  db: Db;
  keys: Keys;
  logger: Logger;
  site: ReplySite;
  linkTtlSeconds: number;
  sendReply: (mail: OutgoingMail) => Promise<unknown>;
}

/**
 * Thrown when the relay did not take a reply. Carries only the SMTP code: the relay's own
 * message usually quotes the recipient, and addresses must never reach a log line.
 */
export class ReplyNotSentError extends Error {
  constructor(readonly code: string | undefined) {
    super(`the reply could not be handed to the relay (${code ?? 'no code'})`);
    this.name = 'ReplyNotSentError';
  }
}

/** The recipient's meaning, or undefined when nobody is there (the client gets 550). */
export async function resolveRecipient(
  db: Db,
  address: string,
  mailDomain: string,
): Promise<Recipient | undefined> {
  if (address.length > 254) return undefined;
  const system = parseSystemMailbox(address, mailDomain);
  if (system?.kind === 'add_address') {
    const token = await findUsableToken(db, hashToken(system.token), 'add_address');
    // Only a mailbox token (no address yet) opens the mailbox, never a confirmation token.
    if (!token?.registrationId || token.addressCiphertext !== null) return undefined;
    return { kind: 'add_address', mailboxTokenId: token.id, registrationId: token.registrationId };
  }
  // Every bounce and reply tag is accepted here: it is verified with the mail, so that a
  // forged one gets the same 250 and learns nothing.
  if (system?.kind === 'bounce' || system?.kind === 'reply') return system;
  if (system) return { kind: 'sink', mailbox: system.kind };
  const school = await findSchoolByRegistrationAddress(db, address);
  return school && { kind: 'school', school };
}

async function sendOrUndo(
  intake: Intake,
  mail: OutgoingMail,
  undo: () => Promise<void>,
): Promise<void> {
  try {
    await intake.sendReply(mail);
  } catch (error) {
    await undo();
    const { code, responseCode } = error as { code?: unknown; responseCode?: unknown };
    throw new ReplyNotSentError(String(responseCode ?? code ?? '') || undefined);
  }
}

/** Answers one accepted recipient of a mail that deserves an answer. */
export async function answerRecipient(
  intake: Intake,
  recipient: AnsweredRecipient,
  answered: AnsweredMail,
): Promise<void> {
  const { db, logger } = intake;
  const address = sealAddress(intake.keys, answered.sender);
  const ref = senderRef(address.blindIndex);

  if (recipient.kind === 'school') {
    // A repeated mail gets a new link and leaves the earlier ones valid until they expire or are
    // used: mails can arrive out of order, and whichever link the parent taps must work.
    const link = await createRegistrationToken(db, {
      purpose: 'register',
      schoolId: recipient.school.id,
      address,
      ttlSeconds: intake.linkTtlSeconds,
    });
    const mail = registrationLinkReply(intake.site, answered, recipient.school.name, link);
    await sendOrUndo(intake, mail, () => deleteToken(db, link.id));
    logger.info({ school: recipient.school.code, senderRef: ref }, 'registration link sent');
    return;
  }

  // The mailbox token is single-use: of two mails racing for it, one gets the confirmation link.
  if (!(await consumeToken(db, recipient.mailboxTokenId))) {
    logger.info({ senderRef: ref }, 'add-address mailbox was used meanwhile; not answered');
    return;
  }
  try {
    const link = await createRegistrationToken(db, {
      purpose: 'add_address',
      registrationId: recipient.registrationId,
      address,
      ttlSeconds: intake.linkTtlSeconds,
    });
    const mail = addressConfirmationReply(intake.site, answered, link);
    await sendOrUndo(intake, mail, () => deleteToken(db, link.id));
  } catch (error) {
    // Give the mailbox back, so that the retry of the parent's mail server finds it open.
    await releaseToken(db, recipient.mailboxTokenId);
    throw error;
  }
  logger.info(
    { registration: recipient.registrationId, senderRef: ref },
    'address confirmation sent',
  );
}
