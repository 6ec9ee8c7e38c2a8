import { findConfirmationPage, type TapOutcome } from '@renraku/db';
import { isChoiceOf, REPLY_WORDS_MAX, type ConfirmRequest } from '@renraku/shared';
import { deliveryOfReplyTag } from '@renraku/shared/confirm-token';
import { scrubReply } from '@renraku/shared/scrub';
import type { CoreContext } from '../context';
import type { ConfirmationRecorder } from './recorder';

// A parent's reply to a confirming mail answers it: the first digit 1–5 of the reply's own
// text picks that choice (a reply without one is a plain 「確認しました」), and its own words are
// kept for staff. "Own" is what the parent wrote above what the mailer quoted: phone mailers
// quote the original under a header line (Gmail's "On … wrote:" and 「2025年9月1日(月) 6:00 …:」,
// iPhone's 「…のメール:」, Outlook's 「-----Original Message-----」 or a rule and 「差出人:」),
// or line by line with '>'; a signature starts at '-- '.

/** Lines at which the quoted original (or a signature) begins: everything from there is cut. */
const QUOTE_STARTS: readonly RegExp[] = [
  /^.*(?:wrote|書きました)[:：]$/i,
  /^.*の(?:メッセージ|メール)[:：]$/,
  /^\d{4}[年/-]\d{1,2}[月/-]\d{1,2}日?.*[:：]$/,
  /^-{2,}\s*(?:Original Message|Forwarded message|元のメッセージ|転送されたメッセージ|転送メッセージ)\s*-{2,}$/i,
  /^_{10,}$/,
  /^(?:From|差出人|送信者)[:：]\s*\S/i,
  // The signature separator; our own mail's footer starts with '--' too.
  /^--\s?$/,
];

/** The parent's own text of a reply: the quoted original, its header line and signature cut. */
export function ownTextOf(text: string): string {
  const lines = text.replace(/\r\n?/g, '\n').split('\n');
  const own: string[] = [];
  for (const [i, line] of lines.entries()) {
    const trimmed = line.trim();
    if (QUOTE_STARTS.some((start) => start.test(trimmed))) break;
    // Gmail folds a long "On … wrote:" onto two lines.
    if (/^On\b/i.test(trimmed) && /\bwrote:$/i.test(lines[i + 1]?.trim() ?? '')) break;
    if (/^[>＞]/.test(trimmed)) continue;
    own.push(line);
  }
  return own.join('\n').trim();
}

/**
 * The choice a reply's own text picks: its first digit 1–5 (full-width and circled digits
 * count, as phones type them) when the message has that choice, else 0 (確認しました).
 */
export function replyChoiceOf(confirm: ConfirmRequest, own: string): number {
  const digit = /[1-5]/.exec(own.normalize('NFKC'));
  const choice = digit ? Number(digit[0]) : 0;
  return isChoiceOf(confirm, choice) ? choice : 0;
}

/** What staff see of a reply: its own words, every address scrubbed, at most 200 characters. */
export function replyWordsOf(own: string): string | null {
  const words = scrubReply(own).slice(0, REPLY_WORDS_MAX).trim();
  return words === '' ? null : words;
}

/**
 * Records a reply mail to reply+<tag>@ as its delivery's answer; null when the tag is not ours
 * or the delivery's message takes no answer (any more): such a reply changes nothing.
 */
export async function confirmByReply(
  ctx: Pick<CoreContext, 'db' | 'keys'>,
  recorder: ConfirmationRecorder,
  tag: string,
  text: string,
): Promise<TapOutcome | null> {
  const deliveryId = deliveryOfReplyTag(ctx.keys, tag);
  const page = deliveryId === null ? null : await findConfirmationPage(ctx.db, deliveryId);
  if (deliveryId === null || !page) return null;
  const own = ownTextOf(text);
  return recorder.record({
    deliveryId,
    choice: replyChoiceOf(page.confirm, own),
    channel: 'reply',
    replyWords: replyWordsOf(own),
  });
}
