import { randomUUID } from 'node:crypto';
import MailComposer from 'nodemailer/lib/mail-composer';
import { encode as base64, wrap } from 'nodemailer/lib/base64';
import { encodeWords } from 'nodemailer/lib/mime-funcs';
import { carrierDomainOf } from './crypto';
import { encodeIso2022jpBody, encodeIso2022jpHeader } from './iso-2022-jp';

// Whether a text survives a feature phone's charset, for choosing what such a phone gets.
export { readableInIso2022jp } from './iso-2022-jp';

// The one charset rule of every mail the system sends — broadcasts (dispatcher), the replies to
// empty mails (inbound server) and the web's own mails (completion, password reset): ISO-2022-JP
// to feature-phone carriers, UTF-8 to everyone else. A feature-phone parent's first mail is the
// registration reply, so it must be as readable as the broadcasts that follow it.

/**
 * Feature-phone carriers, current and legacy: docomo (i-mode), au (EZweb), SoftBank and its
 * Vodafone / Disney Mobile past, WILLCOM (pdx.ne.jp and its subdomains), EMOBILE. Smartphones
 * on docomo.ne.jp and ezweb.ne.jp read ISO-2022-JP just as well, so the domain is enough.
 */
export const DEFAULT_FEATURE_PHONE_DOMAINS: readonly string[] = [
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

export type MailCharset = 'utf-8' | 'iso-2022-jp';

/** The charset of mail to `to`: ISO-2022-JP for the listed domains and their subdomains. */
export function mailCharsetFor(featurePhoneDomains: readonly string[], to: string): MailCharset {
  const domain = carrierDomainOf(to);
  const listed = featurePhoneDomains.some(
    (feature) => domain === feature || domain.endsWith(`.${feature}`),
  );
  return listed ? 'iso-2022-jp' : 'utf-8';
}

/** What a mail's header block says, apart from Message-ID and To (written per recipient). */
export interface MailHead {
  from: { name: string; address: string };
  subject: string;
  date: Date;
  /** List-Id: a display name and the `<id>`. */
  listId?: { name: string; id: string };
  /** Message-IDs this mail answers (In-Reply-To and References); dropped unless one clean id. */
  inReplyTo?: string;
  /** Further headers with ASCII values (Auto-Submitted…), in this order. */
  headers?: Readonly<Record<string, string>>;
}

/** One mail's header block in one charset, and how a body text is encoded to go under it. */
export interface MailRendition {
  /** The header lines, CRLF-separated, without Message-ID and To. */
  headers: string;
  /** A plain text (any line ends) as the encoded body, without a final line break. */
  encodeBody(text: string): string;
}

/** A message id as a header may carry it: one `<…>` of printable ASCII, nothing else. */
function cleanMessageId(value: string | undefined): string | undefined {
  return value && /^<[\x21-\x3b\x3d\x3f-\x7e]+>$/.test(value) ? value : undefined;
}

const crlf = (text: string) => text.replace(/\r?\n/g, '\r\n');

/** UTF-8 in base64, built with nodemailer's MailComposer: what smartphones and PCs get. */
function utf8Rendition(head: MailHead): MailRendition {
  const inReplyTo = cleanMessageId(head.inReplyTo);
  const headers = new MailComposer({
    from: head.from,
    subject: head.subject,
    date: head.date,
    text: ' ',
    ...(inReplyTo && { inReplyTo, references: inReplyTo }),
    headers: {
      ...head.headers,
      'Content-Transfer-Encoding': 'base64',
      ...(head.listId && {
        'List-Id': {
          prepared: true,
          value: `${encodeWords(head.listId.name, 'B', 52)} ${head.listId.id}`,
        },
      }),
    },
  })
    .compile()
    .buildHeaders()
    .split('\r\n')
    // Per recipient, the Message-ID is written in front instead.
    .filter((line) => !/^Message-ID:/i.test(line))
    .join('\r\n');
  return { headers, encodeBody: (text) => wrap(base64(Buffer.from(crlf(text), 'utf8')), 76) };
}

/**
 * ISO-2022-JP in 7 bits for feature phones. MailComposer cannot write this charset, so the
 * same fields are written here, in the same order as the UTF-8 rendition.
 */
function jisRendition(head: MailHead): MailRendition {
  const sender = encodeIso2022jpHeader(head.from.name);
  const inReplyTo = cleanMessageId(head.inReplyTo);
  const headers = [
    `From: ${sender} <${head.from.address}>`,
    `Subject: ${encodeIso2022jpHeader(head.subject)}`,
    ...(inReplyTo ? [`In-Reply-To: ${inReplyTo}`, `References: ${inReplyTo}`] : []),
    ...Object.entries(head.headers ?? {}).map(([name, value]) => `${name}: ${value}`),
    'Content-Transfer-Encoding: 7bit',
    ...(head.listId
      ? [`List-Id: ${encodeIso2022jpHeader(head.listId.name)} ${head.listId.id}`]
      : []),
    `Date: ${head.date.toUTCString().replace(/GMT/, '+0000')}`,
    'MIME-Version: 1.0',
    'Content-Type: text/plain; charset=ISO-2022-JP',
  ].join('\r\n');
  return {
    headers,
    encodeBody: (text) => encodeIso2022jpBody(text).toString('latin1').replace(/\r\n$/, ''),
  };
}

/** A mail's header block and body encoding in `charset`; built once per message and charset. */
export function mailRendition(charset: MailCharset, head: MailHead): MailRendition {
  for (const value of Object.values(head.headers ?? {})) {
    // Extra headers are the system's own constants; a line break would start a header of its own.
    if (!/^[\x20-\x7e]*$/.test(value)) throw new Error('a mail header value must be plain ASCII');
  }
  return charset === 'iso-2022-jp' ? jisRendition(head) : utf8Rendition(head);
}

/** One mail to one recipient, as the relay takes it (nodemailer's `envelope` and `raw`). */
export interface OutgoingMail {
  envelope: { from: string; to: string };
  raw: string;
}

/** A single plain-text mail: a reply, a completion or reset mail. */
export interface SingleMail extends Omit<MailHead, 'date'> {
  to: string;
  text: string;
  date?: Date;
}

/**
 * A complete single mail to one recipient in the charset the rule gives its domain, with the
 * envelope sender of the From address.
 */
export function composeMail(
  featurePhoneDomains: readonly string[],
  mail: SingleMail,
): OutgoingMail {
  const rendition = mailRendition(mailCharsetFor(featurePhoneDomains, mail.to), {
    ...mail,
    date: mail.date ?? new Date(),
  });
  if (/[\s<>]/.test(mail.to)) throw new Error('a recipient address cannot hold spaces or brackets');
  const domain = mail.from.address.slice(mail.from.address.lastIndexOf('@') + 1);
  const raw =
    `Message-ID: <${randomUUID()}@${domain}>\r\nTo: ${mail.to}\r\n${rendition.headers}\r\n\r\n` +
    `${rendition.encodeBody(mail.text)}\r\n`;
  return { envelope: { from: mail.from.address, to: mail.to }, raw };
}
