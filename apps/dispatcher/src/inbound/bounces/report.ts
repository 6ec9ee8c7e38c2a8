import { simpleParser } from 'mailparser';
import { scrubReply } from '@renraku/shared/scrub';

// Reads what arrives at a delivery's return path: a delivery status notification (RFC 3464
// multipart/report), one of the plain-text bounces that servers send instead (Postfix without
// DSN, Exim, qmail, the Japanese carriers' gateways), or an auto-reply that is no bounce at all.
// The VERP tag already names the delivery, so a report only has to say what became of it.

/** What the remote side says became of the mail (RFC 3464 Action, success ones merged). */
export type ReportAction = 'delivered' | 'delayed' | 'failed';

/** The shape a report was read from, kept with it so that operators see which reader matched. */
export type BounceFormat = 'rfc3464' | 'postfix' | 'exim' | 'qmail' | 'carrier';

/** One recipient's fate, as far as the bounce tells it; never carries an address. */
export interface DeliveryReport {
  action: ReportAction;
  /** RFC 3463 enhanced status, e.g. 5.1.1; derived from the SMTP code or words when absent. */
  status: string;
  /** The SMTP reply code quoted by the remote server, if any. */
  smtpCode: number | null;
  /** The remote server's words, addresses removed, at most 500 characters. */
  diagnostic: string | null;
  /** RFC 3461 ENVID as the report returned it (the dispatcher sends the delivery id). */
  envelopeId: string | null;
  format: BounceFormat;
}

/** What a mail to the return path turned out to be. */
export type ReadBounce =
  | { kind: 'report'; report: DeliveryReport }
  /** Vacation and other auto-replies: not about delivery, nothing changes. */
  | { kind: 'auto_reply' }
  /** A mail none of the readers understood; kept (without addresses) for the operator. */
  | { kind: 'unparsed'; subject: string; excerpt: string };

/** Bounces quote the parent's address everywhere; nothing of it may be stored or logged. */
export function withoutAddresses(text: string, max = 500): string {
  return scrubReply(text.replace(/\s+/g, ' ').trim()).slice(0, max);
}

const ENHANCED_STATUS = /(?<![\d.])([245])\.(\d{1,3})\.(\d{1,3})(?!\.?\d)/;
const SMTP_CODE = /(?:^|[\s:;(])([245]\d\d)(?=[\s-])/;

function smtpCodeIn(text: string): number | null {
  const code = SMTP_CODE.exec(text)?.[1];
  return code ? Number(code) : null;
}

/** Unfolds RFC 822-style fields into blocks separated by blank lines (DSN bodies are such). */
function fieldBlocks(text: string): Map<string, string>[] {
  const blocks: Map<string, string>[] = [];
  let current = new Map<string, string>();
  let last: string | undefined;
  for (const line of text.split(/\r?\n/)) {
    if (line.trim() === '') {
      if (current.size > 0) blocks.push(current);
      current = new Map();
      last = undefined;
      continue;
    }
    if (/^[ \t]/.test(line) && last) {
      current.set(last, `${current.get(last) ?? ''} ${line.trim()}`);
      continue;
    }
    const match = /^([\x21-\x39\x3b-\x7e]+)\s*:(.*)$/.exec(line);
    if (!match?.[1]) continue;
    last = match[1].toLowerCase();
    if (!current.has(last)) current.set(last, (match[2] ?? '').trim());
  }
  if (current.size > 0) blocks.push(current);
  return blocks;
}

/** The header of a MIME part and the start of its body, found by content type anywhere. */
function partBody(raw: string, contentTypes: RegExp): string | null {
  const header = new RegExp(
    `(^|\\n)content-type:[ \\t]*(${contentTypes.source})[^]*?\\r?\\n\\r?\\n`,
    'i',
  ).exec(raw);
  if (!header) return null;
  const start = header.index + header[0].length;
  const end = raw.slice(start).search(/\r?\n--/);
  const body = end < 0 ? raw.slice(start) : raw.slice(start, start + end);
  const partHeader = header[0];
  if (/content-transfer-encoding:[ \t]*base64/i.test(partHeader)) {
    return Buffer.from(body.replace(/\s+/g, ''), 'base64').toString('latin1');
  }
  return body;
}

const ACTIONS: Record<string, ReportAction> = {
  failed: 'failed',
  delayed: 'delayed',
  delivered: 'delivered',
  // Handed on to a system that sends no DSN, or to a list: the relay's last word is success.
  relayed: 'delivered',
  expanded: 'delivered',
};

/** Most telling first: a failure outweighs a delay, which outweighs a success. */
const WEIGHT: Record<ReportAction, number> = { failed: 3, delayed: 2, delivered: 1 };

/** RFC 3464: the per-recipient block with the weightiest Action (VERP means one recipient). */
function readDeliveryStatus(body: string): DeliveryReport | null {
  const [perMessage, ...recipients] = fieldBlocks(body);
  if (!perMessage) return null;
  let best: DeliveryReport | null = null;
  for (const fields of recipients) {
    const action = ACTIONS[(fields.get('action') ?? '').toLowerCase().split(/\s/)[0] ?? ''];
    if (!action) continue;
    const diagnostic = fields.get('diagnostic-code') ?? null;
    const statusText = fields.get('status') ?? '';
    const status = ENHANCED_STATUS.exec(statusText)?.[0] ?? defaultStatus(action);
    // A failure whose status says 4.x.x is final all the same (the relay gave up): soft.
    const report: DeliveryReport = {
      action,
      status,
      smtpCode: diagnostic ? smtpCodeIn(diagnostic.replace(/^[^;]*;/, ' ')) : null,
      diagnostic: diagnostic ? withoutAddresses(diagnostic.replace(/^[^;]*;\s*/, '')) : null,
      envelopeId: perMessage.get('original-envelope-id')?.trim() || null,
      format: 'rfc3464',
    };
    if (!best || WEIGHT[action] > WEIGHT[best.action]) best = report;
  }
  return best;
}

function defaultStatus(action: ReportAction): string {
  return action === 'failed' ? '5.0.0' : action === 'delayed' ? '4.0.0' : '2.0.0';
}

/** Words that carriers and old servers use instead of a status code, with what they mean. */
const WORDED_STATUS: [RegExp, string][] = [
  [
    /mailbox (is )?full|quota|over ?quota|容量(を)?(超|オーバー)|容量が一杯|メールボックスがいっぱい/i,
    '4.2.2',
  ],
  [
    /user unknown|unknown user|no such (user|mailbox|recipient)|mailbox (not found|unavailable)|does not exist|account (is )?(disabled|inactive)|no mailbox here|invalid recipient|宛先不明|存在しません|存在しない|アカウント(は|が)(無効|存在)/i,
    '5.1.1',
  ],
  [/reject|refused|denied|blocked|受信拒否|拒否され|受信設定|迷惑メール/i, '5.7.1'],
];

/** A status from the text of a plain bounce: an enhanced code, an SMTP code, or words. */
function statusOfText(text: string, fallback: string): { status: string; smtpCode: number | null } {
  const smtpCode = smtpCodeIn(text);
  const enhanced = ENHANCED_STATUS.exec(text)?.[0];
  if (enhanced) return { status: enhanced, smtpCode };
  const worded = WORDED_STATUS.find(([pattern]) => pattern.test(text))?.[1];
  if (worded) return { status: worded, smtpCode };
  if (smtpCode) return { status: `${String(smtpCode)[0]}.0.0`, smtpCode };
  return { status: fallback, smtpCode };
}

/** A plain-text reader: how to know its format and which part of the text is the diagnosis. */
interface TextReader {
  format: BounceFormat;
  matches: RegExp;
  /** The part after which the diagnosis starts. */
  diagnosisAfter?: RegExp;
  delayed?: RegExp;
}

const TEXT_READERS: TextReader[] = [
  {
    // Postfix's bounce(8) text when the DSN part is missing (or the only part left).
    format: 'postfix',
    matches: /This is the mail system at host|The mail system\s*\n/i,
    diagnosisAfter: /The mail system\s*\n/i,
    delayed: /\bdelayed\b|Delivery attempts will continue/i,
  },
  {
    format: 'exim',
    matches: /This message was created automatically by mail delivery software/i,
    diagnosisAfter: /address(?:\(es\))? failed:|not yet been delivered/i,
    delayed: /has not yet been delivered|No action is required on your part/i,
  },
  {
    format: 'qmail',
    matches: /Hi\. This is the qmail(-send)? program/i,
    diagnosisAfter: /following address(es)?\.?[^\n]*\n/i,
  },
  {
    // docomo, au (ezweb.ne.jp / au.com), SoftBank and their MVNOs answer in Japanese or in a
    // terse English of their own ("The user(s) account is disabled.").
    format: 'carrier',
    matches:
      /配信(でき|に失敗)|送信(でき|に失敗)|届けることができ|宛先不明|受信拒否|The user\(s\) account is disabled|Mail Delivery Failure|could not be delivered to/i,
  },
];

/** Readers for bounces that are not RFC 3464 reports; null when none recognises the mail. */
function readTextBounce(text: string): DeliveryReport | null {
  for (const reader of TEXT_READERS) {
    if (!reader.matches.test(text)) continue;
    const after = reader.diagnosisAfter?.exec(text);
    // The returned original message follows the diagnosis; it must not count.
    const diagnosis = (after ? text.slice(after.index + after[0].length) : text).split(
      /^-{2,}.*(below this line|original message|返送|元のメッセージ)|^------ This is a copy/im,
    )[0]!;
    const delayed = reader.delayed?.test(text) ?? false;
    const { status, smtpCode } = statusOfText(diagnosis, delayed ? '4.0.0' : '5.0.0');
    return {
      action: delayed ? 'delayed' : 'failed',
      status: delayed && status.startsWith('5') ? '4.0.0' : status,
      smtpCode,
      diagnostic: withoutAddresses(diagnosis) || null,
      envelopeId: null,
      format: reader.format,
    };
  }
  return null;
}

/**
 * 8-bit octets in a delivery-status part are UTF-8 (RFC 6533, and what MTAs send in practice);
 * read as latin1 they would hide a full-width ＠ from the address scrubbing.
 */
function utf8IfValid(latin1: string | null): string | null {
  if (latin1 === null) return null;
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(Buffer.from(latin1, 'latin1'));
  } catch {
    return latin1;
  }
}

const AUTO_REPLY_FIELDS = ['x-autoreply', 'x-autorespond', 'x-vacation'];

/** Reads one mail that arrived at a bounce+…@ address. */
export async function readBounce(raw: Buffer): Promise<ReadBounce> {
  const latin1 = raw.toString('latin1');
  const status = utf8IfValid(partBody(latin1, /message\/(?:global-)?delivery-status/));
  const report = status === null ? null : readDeliveryStatus(status);
  if (report) return { kind: 'report', report };
  const parsed = await simpleParser(raw, { skipHtmlToText: false, skipImageLinks: true });
  const autoSubmitted = String(parsed.headers.get('auto-submitted') ?? '').toLowerCase();
  const precedence = String(parsed.headers.get('precedence') ?? '').toLowerCase();
  if (
    autoSubmitted.startsWith('auto-replied') &&
    !/multipart\/report/i.test(String(parsed.headers.get('content-type') ?? '')) &&
    !/mailer-daemon|postmaster/i.test(parsed.from?.text ?? '')
  ) {
    // Postfix marks its own bounces auto-replied too; those came with a report or from the
    // daemon and are read below. A person's vacation notice is neither.
    return { kind: 'auto_reply' };
  }
  if (AUTO_REPLY_FIELDS.some((name) => parsed.headers.has(name)) || precedence === 'auto_reply') {
    return { kind: 'auto_reply' };
  }
  const text = `${parsed.subject ?? ''}\n${parsed.text ?? ''}`;
  const fromText = readTextBounce(text);
  if (fromText) return { kind: 'report', report: fromText };
  return {
    kind: 'unparsed',
    subject: withoutAddresses(parsed.subject ?? '', 200),
    excerpt: withoutAddresses(parsed.text ?? ''),
  };
}
