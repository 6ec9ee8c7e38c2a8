import { simpleParser } from 'mailparser';
import type { Db } from '@renraku/db';
import { confirmByReply, type ConfirmationRecorder } from '@renraku/core/confirmation';
import type { Keys } from '@renraku/shared/crypto';
import type { Logger } from '@renraku/shared/logger';
import { isAutomaticMail, isMachineAddress, type HeaderFields } from './message';

// Replies to a confirming mail (reply+<tag>@, its Reply-To): a parent's reply answers the
// delivery it names, through the same recorder as the link's button. Auto-replies, vacation
// mails and bounces never count; a forged or unknown tag is accepted and changes nothing. The
// sender's address is never logged or stored: only the reply's scrubbed own words are.

/** What reply intake needs, fixed when the inbound server starts. */
export interface ReplyIntake {
  db: Db;
  keys: Keys;
  logger: Logger;
  recorder: ConfirmationRecorder;
}

/** Whether a mail at a Reply-To is a person's answer: not a machine's, not a report. */
export function isPersonalReply(sender: string, fields: HeaderFields | undefined): boolean {
  if (!sender || !fields || isMachineAddress(sender) || isAutomaticMail(fields)) return false;
  // A delivery report (bounce) that a relay sent to the Reply-To rather than the return path.
  const type = (fields.get('content-type') ?? []).join(' ').toLowerCase();
  return !/multipart\/report/.test(type);
}

/** Reads and records one reply mail to reply+<tag>@; throws only when the database fails. */
export async function takeReply(intake: ReplyIntake, tag: string, raw: Buffer): Promise<void> {
  const parsed = await simpleParser(raw);
  const outcome = await confirmByReply(intake, intake.recorder, tag, parsed.text ?? '');
  if (!outcome) {
    intake.logger.info('reply with a forged or unknown tag, or to a closed message, ignored');
    return;
  }
  intake.logger.info(
    {
      kind: outcome.kind,
      ...(outcome.kind === 'recorded' && {
        messageId: outcome.messageId,
        households: outcome.households,
      }),
    },
    'reply to a confirming mail read',
  );
}
