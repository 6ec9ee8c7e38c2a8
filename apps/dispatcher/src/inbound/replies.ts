import { jstFormat, noReplyMailbox, parentMailSender, schoolTag } from '@renraku/shared';
import { composeMail, type OutgoingMail } from '@renraku/shared/mail';

// The automatic answers to empty mails: short plain Japanese that a parent reads on a phone,
// the link on a line of its own so that every mail app makes it tappable. They follow the
// charset rule of every mail (composeMail): ISO-2022-JP to feature phones, as broadcasts are.

/** Where links point, which domain the replies come from, and which carriers get ISO-2022-JP. */
export interface ReplySite {
  publicUrl: string;
  mailDomain: string;
  featurePhoneDomains: readonly string[];
}

/** The parent's mail that is being answered. */
export interface AnsweredMail {
  /** The envelope sender: the address the link proves, so the reply goes there and only there. */
  sender: string;
  messageId: string | undefined;
}

const EXPIRY_FORMAT = jstFormat({
  year: 'numeric',
  month: 'long',
  day: 'numeric',
  weekday: 'short',
  hour: '2-digit',
  minute: '2-digit',
  hourCycle: 'h23',
});

function linkTo(site: ReplySite, path: string): string {
  return `${site.publicUrl.replace(/\/+$/, '')}${path}`;
}

/**
 * RFC 3834 auto-reply: Auto-Submitted: auto-replied so that other responders stay quiet,
 * threaded to the parent's mail. The return path is our no-reply mailbox rather than the null
 * path RFC 3834 suggests: carriers' domain-specified reception (ドメイン指定着信) filters on the
 * sender's domain, and a parent who allowed MAIL_DOMAIN must receive this mail.
 */
function autoReply(
  site: ReplySite,
  answered: AnsweredMail,
  fromName: string,
  subject: string,
  lines: string[],
): OutgoingMail {
  return composeMail(site.featurePhoneDomains, {
    from: { name: fromName, address: noReplyMailbox(site.mailDomain) },
    to: answered.sender,
    subject,
    text: `${lines.join('\n')}\n`,
    inReplyTo: answered.messageId,
    headers: { 'Auto-Submitted': 'auto-replied', 'X-Auto-Response-Suppress': 'All' },
  });
}

/** What to do if the mail was not asked for: the link does nothing until someone opens it. */
function notYou(consequence: string): string[] {
  return [
    'このメールに心当たりがない場合は、何もせずに削除してください。',
    consequence,
    '',
    '※このメールは送信専用です。返信はできません。',
  ];
}

/** The answer to an empty mail sent to a school's registration address (leaflet ②). */
export function registrationLinkReply(
  site: ReplySite,
  answered: AnsweredMail,
  schoolName: string,
  link: { token: string; expiresAt: Date },
): OutgoingMail {
  const sender = parentMailSender(schoolName);
  return autoReply(site, answered, sender, `${schoolTag(schoolName)}登録用URLのお知らせ`, [
    `${schoolName}の緊急連絡メール 登録用のご案内です。`,
    '',
    '次のURLを開いて、登録を続けてください。',
    linkTo(site, `/r/${link.token}`),
    '',
    '・初めて登録する方は「新規登録の人はこちら」を押してください。',
    '・登録済みで、このメールアドレスを追加する方は「登録済みの人」を押してください。',
    '',
    `有効期限：${EXPIRY_FORMAT.format(link.expiresAt)}まで（1回だけ使えます）`,
    '期限が過ぎたときは、もう一度空メールを送ってください。',
    '',
    ...notYou('登録は行われません。'),
  ]);
}

/**
 * The answer to an empty mail sent to add-<token>@: a confirmation link for the new address.
 * It names neither the school nor the child: the envelope sender may be forged, and the
 * mailbox that receives this must learn nothing about the registration.
 */
export function addressConfirmationReply(
  site: ReplySite,
  answered: AnsweredMail,
  link: { token: string; expiresAt: Date },
): OutgoingMail {
  return autoReply(site, answered, parentMailSender(), 'メールアドレス追加の確認', [
    '学校緊急連絡メールに、このメールアドレスを追加する手続きのご案内です。',
    '',
    '次のURLを開いて、追加を完了してください。',
    linkTo(site, `/account/addresses/confirm/${link.token}`),
    '',
    `有効期限：${EXPIRY_FORMAT.format(link.expiresAt)}まで（1回だけ使えます）`,
    '',
    ...notYou('このメールアドレスは追加されません。'),
  ]);
}
