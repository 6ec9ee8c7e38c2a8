import { messageForMail, type Db } from '@renraku/db';
import { finalSubject, noReplyMailbox } from '@renraku/shared';
import { deriveKeys } from '@renraku/shared/crypto';
import { compileMail } from '../../apps/dispatcher/src/mail';
import type { BareLoopInput } from '../bare-loop';
import { addressOf } from './addresses';

// The mail both sides of the throughput figure send: the dispatcher's rendering of the
// message, and the same content handed to nodemailer as a plain sendMail would take it.

export const MAIL_SETTINGS = {
  mailDomain: 'renraku.test',
  publicUrl: 'https://renraku.example.jp',
};

/** The dispatcher's raw mail for recipient 0, and the bare loop's message with its content. */
export async function sampleMail(
  db: Db,
  messageId: number,
): Promise<{ pipelineBytes: number; bare: BareLoopInput['mail'] }> {
  const message = await messageForMail(db, messageId);
  if (!message) throw new Error(`message ${messageId} missing`);
  const raw = compileMail(
    message,
    MAIL_SETTINGS,
    deriveKeys('bench-mail-sample-key-0123456789abcdef'),
  ).render(1, addressOf(0), null);
  const [head = '', body = ''] = raw.split('\r\n\r\n');
  const listId = /^List-Id: (.*(?:\r\n[ \t].*)*)/m.exec(head)?.[1]?.replace(/\r\n[ \t]/g, ' ');
  return {
    pipelineBytes: Buffer.byteLength(raw),
    bare: {
      from: { name: message.senderName, address: noReplyMailbox(MAIL_SETTINGS.mailDomain) },
      subject: finalSubject(message.category, message.subject),
      text: Buffer.from(body.replace(/\r\n/g, ''), 'base64').toString('utf8'),
      headers: { 'Auto-Submitted': 'auto-generated', ...(listId ? { 'List-Id': listId } : {}) },
    },
  };
}
