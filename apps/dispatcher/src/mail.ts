import {
  attachmentTypeLabel,
  choiceLabels,
  formatByteSize,
  finalSubject,
  noReplyMailbox,
  variantFor,
  withHonorific,
  type ConfirmRequest,
  type TemplateLanguage,
  type TemplateText,
} from '@renraku/shared';
import { attachmentUrl } from '@renraku/shared/attachment-token';
import { confirmUrl, replyAddress } from '@renraku/shared/confirm-token';
import { sign, verifySignature, type Keys } from '@renraku/shared/crypto';
import {
  mailCharsetFor,
  mailRendition,
  readableInIso2022jp,
  type MailCharset,
  type MailRendition,
} from '@renraku/shared/mail';
import type { MessageForMail } from '@renraku/db';

// The mail a parent receives. A message is rendered once per charset (UTF-8, or ISO-2022-JP
// for feature phones): the MIME headers and the encoded body are built when the first
// recipient is sent to, and each recipient only adds its own Message-ID and To line (and, for
// siblings sharing an address, a body naming them). A message that asks for confirmation
// (安否確認) gives every recipient its own link and Reply-To, so its body is per recipient.
// A template message is rendered once per (charset, language): the parent's language on top,
// the Japanese original below.

/** What every mail of this installation shares. */
export interface MailSettings {
  mailDomain: string;
  publicUrl: string;
  /** Carrier domains (and their subdomains) whose phones get ISO-2022-JP; none when absent. */
  featurePhoneDomains?: readonly string[];
}

/** Hex digits of a VERP signature: 96 bits, and hex survives any case-folding relay. */
const VERP_SIGNATURE_LENGTH = 24;

function verpSignature(keys: Keys, deliveryId: number): string {
  return sign(keys, `bounce:${deliveryId}`, VERP_SIGNATURE_LENGTH, 'hex');
}

/**
 * The VERP envelope sender of one delivery: a bounce names the delivery it is about and the
 * signature proves that we made the address, without the parent's address in it. Digits and
 * lower-case hex only, because relays and the inbound server may change the local part's case.
 */
export function bounceAddress(keys: Keys, mailDomain: string, deliveryId: number): string {
  return `bounce+${deliveryId}-${verpSignature(keys, deliveryId)}@${mailDomain}`;
}

/**
 * The delivery a bounce+<tag>@ recipient names, or null when the tag is not one we made
 * (forged, altered, or of another installation's key). Any case is accepted.
 */
export function deliveryOfBounceTag(keys: Keys, tag: string): number | null {
  const match = /^(\d{1,15})-([0-9a-f]+)$/.exec(tag.toLowerCase());
  if (!match?.[1] || !match[2]) return null;
  const deliveryId = Number(match[1]);
  const valid = verifySignature(
    keys,
    `bounce:${deliveryId}`,
    match[2],
    VERP_SIGNATURE_LENGTH,
    'hex',
  );
  return valid && String(deliveryId) === match[1] ? deliveryId : null;
}

/** Unique per delivery and stable across re-sends, so a duplicate is recognisable as one. */
export function messageIdOf(mailDomain: string, messageId: number, deliveryId: number): string {
  return `<renraku.${messageId}.${deliveryId}@${mailDomain}>`;
}

/** List-Id labels must be dot-atoms; school and district codes are not guaranteed to be. */
function label(code: string): string {
  return code.toLowerCase().replace(/[^a-z0-9-]+/g, '-') || 'x';
}

/** The lines near the top of a confirming mail: the recipient's link and how to reply. */
function confirmLines(
  confirm: ConfirmRequest,
  settings: MailSettings,
  keys: Keys,
  deliveryId: number,
): string[] {
  const choices = choiceLabels(confirm);
  return [
    '確認したら次のリンクを押してください。',
    confirmUrl(settings.publicUrl, keys, deliveryId),
    // Choice 0 is what any reply without a number means, so only 1..N are listed to type.
    ...(choices.length > 1
      ? [
          '返信で番号を送っても回答できます。',
          ...choices.slice(1).map((label, i) => `${i + 1} ${label}`),
        ]
      : []),
    '',
  ];
}

/**
 * The lines near the end of a mail that list its attachments, one file each with its link:
 * the same for every recipient, so a message without confirmation keeps one shared body.
 */
export function attachmentLines(
  attachments: MessageForMail['attachments'],
  settings: MailSettings,
  keys: Keys,
): string[] {
  return attachments.flatMap((file) => [
    `添付: ${file.fileName}（${attachmentTypeLabel(file.contentType)}, ${formatByteSize(file.byteSize)}）`,
    attachmentUrl(settings.publicUrl, keys, file.id),
  ]);
}

/** Per recipient of a confirming message: its link near the top. */
interface Recipient {
  deliveryId: number;
  keys: Keys;
}

/** Between the parent's language and the Japanese original. */
export const ORIGINAL_SEPARATOR = '──────── 日本語（原文） ────────';

/**
 * The variant a recipient reads above the Japanese (variantFor), or null for Japanese only. A
 * feature phone (ISO-2022-JP) that cannot show the language's letters gets やさしい日本語.
 */
export function mailVariant(
  message: MessageForMail,
  charset: MailCharset,
  language: TemplateLanguage,
): { language: TemplateLanguage; text: TemplateText } | null {
  return variantFor(message.variants, language, (text) =>
    charset === 'utf-8' ? true : readableInIso2022jp(`${text.subject}\n${text.body}`),
  );
}

/** The message's text: the variant's body above the Japanese one, or the Japanese alone. */
function bodyOf(message: MessageForMail, variant: TemplateText | null): string {
  return variant ? `${variant.body}\n\n${ORIGINAL_SEPARATOR}\n${message.body}` : message.body;
}

function bodyText(
  message: MessageForMail,
  settings: MailSettings,
  children: string[],
  recipient: Recipient | null,
  attached: string[],
  variant: TemplateText | null,
): string {
  const sender = message.authorName
    ? `${message.senderName}（${message.authorName}）`
    : message.senderName;
  const lines = [
    ...(children.length > 1 ? [`お子さま: ${children.map(withHonorific).join('、')}`, ''] : []),
    ...(message.confirm && recipient
      ? confirmLines(message.confirm, settings, recipient.keys, recipient.deliveryId)
      : []),
    bodyOf(message, variant),
    '',
    ...(attached.length > 0 ? [...attached, ''] : []),
    '--',
    `送信者: ${sender}`,
    // Replies to a confirming mail are read (as its answer), so it must not say they are not.
    message.confirm
      ? 'このメールは学校緊急連絡メールから送信しています。このメールへの返信は確認の回答として受け付けます。'
      : 'このメールは学校緊急連絡メールから送信しています。送信専用のため返信はできません。',
    `登録内容の変更・アドレスの追加・退会: ${settings.publicUrl}/login`,
  ];
  return lines.join('\n').replace(/\r?\n/g, '\r\n');
}

/** One message in one charset: its header block, body encoding and common body. */
interface Rendition extends MailRendition {
  /** The body without sibling names, encoded once; null when every body is its recipient's. */
  sharedBody: string | null;
  /** The text above the Japanese; null for Japanese only. */
  variant: TemplateText | null;
}

/** One message, ready to be addressed to each of its recipients. */
export interface MailTemplate {
  /** The message it renders: a push of the same message is made from it too. */
  message: MessageForMail;
  /** The complete raw message for one delivery, in the parent's language above the Japanese. */
  render(
    deliveryId: number,
    to: string,
    childNames: string[] | null,
    language?: TemplateLanguage,
  ): string;
}

/** The List-Id: the school's and district's codes under MAIL_DOMAIN. */
function listIdOf(message: MessageForMail, settings: MailSettings): string {
  const id = [message.schoolCode, message.districtCode]
    .filter((code): code is string => code !== null)
    .map(label)
    .join('.');
  return `<${id}.${settings.mailDomain}>`;
}

/**
 * Builds a message's header block and common body once per charset and language, on the first recipient
 * that needs it; each recipient then only adds its Message-ID and To line (and, when the
 * message asks for confirmation, its Reply-To and its own body).
 */
export function compileMail(
  message: MessageForMail,
  settings: MailSettings,
  keys: Keys,
  date: Date = new Date(),
): MailTemplate {
  const head = (variant: TemplateText | null) => ({
    from: { name: message.senderName, address: noReplyMailbox(settings.mailDomain) },
    subject: finalSubject(message.category, variant?.subject ?? message.subject),
    date,
    headers: { 'Auto-Submitted': 'auto-generated' },
    listId: { name: message.senderName, id: listIdOf(message, settings) },
  });
  const attached = attachmentLines(message.attachments, settings, keys);
  const renditions = new Map<string, Rendition>();
  const renditionFor = (charset: MailCharset, language: TemplateLanguage) => {
    const variant = mailVariant(message, charset, language);
    const key = `${charset} ${variant?.language ?? 'ja'}`;
    let rendition = renditions.get(key);
    if (!rendition) {
      const parts = mailRendition(charset, head(variant?.text ?? null));
      const sharedBody = message.confirm
        ? null
        : parts.encodeBody(bodyText(message, settings, [], null, attached, variant?.text ?? null));
      rendition = { ...parts, sharedBody, variant: variant?.text ?? null };
      renditions.set(key, rendition);
    }
    return rendition;
  };
  return {
    message,
    render(deliveryId, to, childNames, language = 'ja') {
      const charset = mailCharsetFor(settings.featurePhoneDomains ?? [], to);
      const rendition = renditionFor(charset, language);
      const children = childNames && childNames.length > 1 ? childNames : [];
      const body =
        rendition.sharedBody !== null && children.length === 0
          ? rendition.sharedBody
          : rendition.encodeBody(
              bodyText(
                message,
                settings,
                children,
                { deliveryId, keys },
                attached,
                rendition.variant,
              ),
            );
      const replyTo = message.confirm
        ? `Reply-To: ${replyAddress(keys, settings.mailDomain, deliveryId)}\r\n`
        : '';
      return `Message-ID: ${messageIdOf(settings.mailDomain, message.id, deliveryId)}\r\nTo: ${to}\r\n${replyTo}${rendition.headers}\r\n\r\n${body}\r\n`;
    },
  };
}
