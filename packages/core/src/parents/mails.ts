import { jstFormat, parentMailSender, schoolTag } from '@renraku/shared';
import type { ParentsContext } from './context';

// The two mails the web sends a parent itself: registration completed (leaflet ⑤) and the
// password reset link. Short plain Japanese for a phone, links on lines of their own. Neither
// names the child: a forwarded or shared mailbox learns no more than the school and class.

const FOOTER = ['', '※このメールは送信専用です。返信はできません。'];

const EXPIRY_FORMAT = jstFormat({
  month: 'long',
  day: 'numeric',
  hour: '2-digit',
  minute: '2-digit',
  hourCycle: 'h23',
});

/** Sends and logs a failure without the address: the page the parent sees does not depend on it. */
async function deliver(
  ctx: ParentsContext,
  mail: { to: string; fromName: string; subject: string },
  lines: string[],
) {
  if (!ctx.mailer) throw new Error('the web was started without a mailer (startWeb makes one)');
  const { subject } = mail;
  try {
    await ctx.mailer.send({ ...mail, text: `${[...lines, ...FOOTER].join('\n')}\n` });
    return true;
  } catch (error) {
    ctx.logger.warn({ err: error, subject }, 'parent mail not sent');
    return false;
  }
}

/**
 * 「登録が完了しました」: sent after a registration and again when it is repeated. From the same
 * sender, with the same school tag, as the registration reply the parent got before it.
 */
export function sendCompletionMail(
  ctx: ParentsContext,
  to: string,
  registration: { loginId: string; schoolName: string; grade: number; className: string },
): Promise<boolean> {
  const mail = {
    to,
    fromName: parentMailSender(registration.schoolName),
    subject: `${schoolTag(registration.schoolName)}登録が完了しました`,
  };
  return deliver(ctx, mail, [
    `${registration.schoolName}の緊急連絡メールの登録が完了しました。`,
    `学年・クラス：${registration.grade}年 ${registration.className}`,
    `ログインID：${registration.loginId}`,
    '',
    '登録内容の確認・アドレスの追加・退会は、次のページからログインしてください。',
    `${ctx.env.publicUrl}/login`,
    '',
    'メールが届かないときに備えて、ホーム画面に追加して通知を受け取れます（手順）：',
    `${ctx.env.publicUrl}/account/install`,
    '',
    'このメールに心当たりがない場合は、学校にお問い合わせください。',
  ]);
}

/** The reset link, to every address of the registration; nothing happens unless it is opened. */
export function sendPasswordResetMail(
  ctx: ParentsContext,
  to: string,
  link: { token: string; expiresAt: Date },
): Promise<boolean> {
  const mail = { to, fromName: parentMailSender(), subject: 'パスワード再設定のご案内' };
  return deliver(ctx, mail, [
    '学校緊急連絡メールのパスワードを再設定するには、次のURLを開いてください。',
    `${ctx.env.publicUrl}/account/reset/${link.token}`,
    '',
    `有効期限：${EXPIRY_FORMAT.format(link.expiresAt)}まで（1回だけ使えます）`,
    '',
    'このメールに心当たりがない場合は、何もせずに削除してください。パスワードは変わりません。',
  ]);
}
