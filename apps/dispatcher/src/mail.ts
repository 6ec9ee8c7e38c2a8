import MailComposer from 'nodemailer/lib/mail-composer';
import { encode as base64, wrap } from 'nodemailer/lib/base64';
import { encodeWords } from 'nodemailer/lib/mime-funcs';
import { noReplyMailbox, type MessageCategory } from '@renraku/shared';
import { sign, type Keys } from '@renraku/shared/crypto';
import type { MessageForMail } from '@renraku/db';

// The mail a parent receives. A message is rendered once: the MIME headers and the encoded
// body are built when the first recipient is sent to, and each recipient only adds its own
// Message-ID and To line (and, for siblings sharing an address, a body naming them).

/** Phones show the subject first: the category in front tells an emergency at a glance. */
export const CATEGORY_PREFIX: Record<MessageCategory, string> = {
  emergency_contact: '【緊急連絡】',
  emergency_info: '【緊急情報】',
  education_info: '【教育情報】',
};

/** What every mail of this installation shares. */
export interface MailSettings {
  mailDomain: string;
  publicUrl: string;
}

/**
 * The VERP envelope sender of one delivery: a bounce names the delivery it is about and the
 * signature proves that we made the address, without the parent's address in it. The
 * signature is base64url, so whoever reads it back must keep the local part's case.
 */
export function bounceAddress(keys: Keys, mailDomain: string, deliveryId: number): string {
  return `bounce+${deliveryId}-${sign(keys, String(deliveryId))}@${mailDomain}`;
}

/** Unique per delivery and stable across re-sends, so a duplicate is recognisable as one. */
export function messageIdOf(mailDomain: string, messageId: number, deliveryId: number): string {
  return `<renraku.${messageId}.${deliveryId}@${mailDomain}>`;
}

/** List-Id labels must be dot-atoms; school and district codes are not guaranteed to be. */
function label(code: string): string {
  return code.toLowerCase().replace(/[^a-z0-9-]+/g, '-') || 'x';
}

function bodyText(message: MessageForMail, settings: MailSettings, children: string[]): string {
  const sender = message.authorName
    ? `${message.senderName}（${message.authorName}）`
    : message.senderName;
  const lines = [
    ...(children.length > 1
      ? [`お子さま: ${children.map((name) => `${name}さん`).join('、')}`, '']
      : []),
    message.body,
    '',
    '--',
    `送信者: ${sender}`,
    'このメールは学校緊急連絡メールから送信しています。送信専用のため返信はできません。',
    `登録内容の変更・アドレスの追加・退会: ${settings.publicUrl}/login`,
  ];
  return lines.join('\n').replace(/\r?\n/g, '\r\n');
}

function encodedBody(text: string): string {
  return wrap(base64(Buffer.from(text, 'utf8')), 76);
}

/** One message, ready to be addressed to each of its recipients. */
export interface MailTemplate {
  /** The complete raw message for one delivery. */
  render(deliveryId: number, to: string, childNames: string[] | null): string;
}

/** Builds the headers and the common body once, with nodemailer's MailComposer. */
export function compileMail(
  message: MessageForMail,
  settings: MailSettings,
  date: Date = new Date(),
): MailTemplate {
  const listId = [message.schoolCode, message.districtCode]
    .filter((code): code is string => code !== null)
    .map(label)
    .join('.');
  const headers = new MailComposer({
    from: { name: message.senderName, address: noReplyMailbox(settings.mailDomain) },
    subject: `${CATEGORY_PREFIX[message.category]}${message.subject}`,
    date,
    text: ' ',
    headers: {
      'Auto-Submitted': 'auto-generated',
      'Content-Transfer-Encoding': 'base64',
      'List-Id': {
        prepared: true,
        value: `${encodeWords(message.senderName, 'B', 52)} <${listId}.${settings.mailDomain}>`,
      },
    },
  })
    .compile()
    .buildHeaders()
    .split('\r\n')
    // Per recipient, the Message-ID is written in front instead.
    .filter((line) => !/^Message-ID:/i.test(line))
    .join('\r\n');
  const sharedBody = encodedBody(bodyText(message, settings, []));
  return {
    render(deliveryId, to, childNames) {
      const body =
        childNames && childNames.length > 1
          ? encodedBody(bodyText(message, settings, childNames))
          : sharedBody;
      return `Message-ID: ${messageIdOf(settings.mailDomain, message.id, deliveryId)}\r\nTo: ${to}\r\n${headers}\r\n\r\n${body}\r\n`;
    },
  };
}
