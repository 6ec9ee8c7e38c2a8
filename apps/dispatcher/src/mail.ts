import MailComposer from 'nodemailer/lib/mail-composer';
import { encode as base64, wrap } from 'nodemailer/lib/base64';
import { encodeWords } from 'nodemailer/lib/mime-funcs';
import { finalSubject, noReplyMailbox, withHonorific } from '@renraku/shared';
import { carrierDomainOf, sign, verifySignature, type Keys } from '@renraku/shared/crypto';
import type { MessageForMail } from '@renraku/db';
import { encodeIso2022jpBody, encodeIso2022jpHeader } from './encoding/iso-2022-jp';

// The mail a parent receives. A message is rendered once per charset (UTF-8, or ISO-2022-JP
// for feature phones): the MIME headers and the encoded body are built when the first
// recipient is sent to, and each recipient only adds its own Message-ID and To line (and, for
// siblings sharing an address, a body naming them).

/** What every mail of this installation shares. */
export interface MailSettings {
  mailDomain: string;
  publicUrl: string;
  /** Carrier domains (and their subdomains) whose phones get ISO-2022-JP; none when absent. */
  featurePhoneDomains?: readonly string[];
}

/**
 * Feature-phone carriers, current and legacy: docomo (i-mode), au (EZweb), SoftBank and its
 * Vodafone / Disney Mobile past, WILLCOM (pdx.ne.jp and its subdomains), EMOBILE. Smartphones
 * on docomo.ne.jp and ezweb.ne.jp read ISO-2022-JP just as well, so the domain is enough.
 */
export const DEFAULT_FEATURE_PHONE_DOMAINS = [
  'docomo.ne.jp',
  'ezweb.ne.jp',
  'softbank.ne.jp',
  'vodafone.ne.jp',
  'disney.ne.jp',
  'willcom.com',
  'pdx.ne.jp',
  'wcm.ne.jp',
  'emnet.ne.jp',
];

/** Whether mail to this address goes out as ISO-2022-JP. */
export function isFeaturePhone(settings: MailSettings, to: string): boolean {
  const domain = carrierDomainOf(to);
  return (settings.featurePhoneDomains ?? []).some(
    (listed) => domain === listed || domain.endsWith(`.${listed}`),
  );
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

function bodyText(message: MessageForMail, settings: MailSettings, children: string[]): string {
  const sender = message.authorName
    ? `${message.senderName}（${message.authorName}）`
    : message.senderName;
  const lines = [
    ...(children.length > 1 ? [`お子さま: ${children.map(withHonorific).join('、')}`, ''] : []),
    message.body,
    '',
    '--',
    `送信者: ${sender}`,
    'このメールは学校緊急連絡メールから送信しています。送信専用のため返信はできません。',
    `登録内容の変更・アドレスの追加・退会: ${settings.publicUrl}/login`,
  ];
  return lines.join('\n').replace(/\r?\n/g, '\r\n');
}

/** One message in one charset: its header block and how its body is encoded. */
interface Rendition {
  headers: string;
  encodeBody(text: string): string;
  /** The body without sibling names, encoded once. */
  sharedBody: string;
}

/** One message, ready to be addressed to each of its recipients. */
export interface MailTemplate {
  /** The complete raw message for one delivery. */
  render(deliveryId: number, to: string, childNames: string[] | null): string;
}

/** The List-Id: the school's and district's codes under MAIL_DOMAIN. */
function listIdOf(message: MessageForMail, settings: MailSettings): string {
  const id = [message.schoolCode, message.districtCode]
    .filter((code): code is string => code !== null)
    .map(label)
    .join('.');
  return `<${id}.${settings.mailDomain}>`;
}

/** UTF-8 in base64, built with nodemailer's MailComposer: what smartphones and PCs get. */
function utf8Rendition(
  message: MessageForMail,
  settings: MailSettings,
  date: Date,
  subject: string,
): Omit<Rendition, 'sharedBody'> {
  const headers = new MailComposer({
    from: { name: message.senderName, address: noReplyMailbox(settings.mailDomain) },
    subject,
    date,
    text: ' ',
    headers: {
      'Auto-Submitted': 'auto-generated',
      'Content-Transfer-Encoding': 'base64',
      'List-Id': {
        prepared: true,
        value: `${encodeWords(message.senderName, 'B', 52)} ${listIdOf(message, settings)}`,
      },
    },
  })
    .compile()
    .buildHeaders()
    .split('\r\n')
    // Per recipient, the Message-ID is written in front instead.
    .filter((line) => !/^Message-ID:/i.test(line))
    .join('\r\n');
  return { headers, encodeBody: (text) => wrap(base64(Buffer.from(text, 'utf8')), 76) };
}

/**
 * ISO-2022-JP in 7 bits for feature phones. MailComposer cannot write this charset, so the
 * same fields are written here, in the same order as the UTF-8 rendition.
 */
function jisRendition(
  message: MessageForMail,
  settings: MailSettings,
  date: Date,
  subject: string,
): Omit<Rendition, 'sharedBody'> {
  const sender = encodeIso2022jpHeader(message.senderName);
  const headers = [
    `From: ${sender} <${noReplyMailbox(settings.mailDomain)}>`,
    `Subject: ${encodeIso2022jpHeader(subject)}`,
    'Auto-Submitted: auto-generated',
    'Content-Transfer-Encoding: 7bit',
    `List-Id: ${sender} ${listIdOf(message, settings)}`,
    `Date: ${date.toUTCString().replace(/GMT/, '+0000')}`,
    'MIME-Version: 1.0',
    'Content-Type: text/plain; charset=ISO-2022-JP',
  ].join('\r\n');
  return {
    headers,
    encodeBody: (text) => encodeIso2022jpBody(text).toString('latin1').replace(/\r\n$/, ''),
  };
}

/**
 * Builds a message's header block and common body once per charset, on the first recipient
 * that needs it; each recipient then only adds its Message-ID and To line.
 */
export function compileMail(
  message: MessageForMail,
  settings: MailSettings,
  date: Date = new Date(),
): MailTemplate {
  const subject = finalSubject(message.category, message.subject);
  const renditions = new Map<'utf8' | 'jis', Rendition>();
  const renditionFor = (charset: 'utf8' | 'jis'): Rendition => {
    let rendition = renditions.get(charset);
    if (!rendition) {
      const build = charset === 'jis' ? jisRendition : utf8Rendition;
      const parts = build(message, settings, date, subject);
      rendition = { ...parts, sharedBody: parts.encodeBody(bodyText(message, settings, [])) };
      renditions.set(charset, rendition);
    }
    return rendition;
  };
  return {
    render(deliveryId, to, childNames) {
      const rendition = renditionFor(isFeaturePhone(settings, to) ? 'jis' : 'utf8');
      const body =
        childNames && childNames.length > 1
          ? rendition.encodeBody(bodyText(message, settings, childNames))
          : rendition.sharedBody;
      return `Message-ID: ${messageIdOf(settings.mailDomain, message.id, deliveryId)}\r\nTo: ${to}\r\n${rendition.headers}\r\n\r\n${body}\r\n`;
    },
  };
}
