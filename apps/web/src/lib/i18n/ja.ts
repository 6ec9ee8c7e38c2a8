// Japanese, the language of every page; en.ts must have the same keys (checked by the type
// and by i18n.test.ts). Placeholders in braces are filled in by t().
import { composeJa } from './compose.ja';
import { confirmJa } from './confirm.ja';
import { adminJa } from './admin.ja';
import { auditJa } from './audit.ja';
import { cancelJa } from './cancel.ja';
import { inboxJa } from './inbox.ja';
import { resendJa } from './resend.ja';
import { attachmentsJa } from './attachments.ja';
import { liveJa } from './live.ja';
import { liveConfirmJa } from './live-confirm.ja';
import { outboxJa } from './outbox.ja';
import { parentJa } from './parent.ja';
import { pushJa } from './push.ja';
import { registrationJa } from './registration.ja';
import { refusalJa } from './refusal.ja';
import { templatesJa } from './templates.ja';

export const ja = {
  'app.name': '学校緊急連絡メール',
  'app.tagline': '学校と教育委員会から、保護者の皆さまへ緊急のお知らせをお届けします。',
  'lang.switchTo': 'English',
  'home.staff.title': '教職員の方',
  'home.staff.body': '配信・配信状況の確認・電話連絡リストは、こちらからログインしてください。',
  'home.staff.link': '教職員ログイン',
  'home.parent.title': '保護者の方',
  'home.parent.body':
    '登録内容の確認・変更、アドレスの追加、退会は、「ご利用登録手順書」の下のQRコードからログインしてください。',
  'staff.login.title': '教職員ログイン',
  'staff.login.loginId': 'ログインID',
  'staff.login.password': 'パスワード',
  'staff.login.submit': 'ログイン',
  'staff.login.invalid': 'ログインIDまたはパスワードが違います。',
  'staff.login.required': 'ログインIDとパスワードを入力してください。',
  'staff.login.rateLimited':
    'ログインの失敗が続いたため、しばらくログインできません。{minutes}分ほど待ってからお試しください。',
  'staff.logout': 'ログアウト',
  'staff.nav.label': 'メニュー',
  'staff.nav.home': 'ホーム',
  'staff.home.title': 'ホーム',
  'staff.home.greeting': '{name}、おつかれさまです。',
  'staff.home.scopeHeading': 'あなたの担当範囲',
  'staff.home.role': '（{role}）',
  'staff.home.scopeNote': '配信・配信状況・電話連絡リストは、この範囲に限られます。',
  'role.board': '教育委員会',
  'role.school_admin': '学校管理者',
  'role.teacher': '担任',
  'scope.district': '{district}のすべての学校',
  'scope.school': '{school}（全学年）',
  'scope.class': '{school} {grade}年{class}',
  'outbox.title': '送信メール（デモ）',
  'outbox.lead':
    'デモ環境では、メールは実際には送られず、ここに届きます。保護者への返信メールもここで読めます。',
  'outbox.refresh': '最新の状態にする',
  'outbox.empty': 'まだメールはありません。',
  'outbox.receivedAt': '日時',
  'outbox.to': '宛先',
  'outbox.subject': '件名',
  'outbox.noSubject': '（件名なし）',
  'outbox.back': '送信メール一覧へ',
  'outbox.from': '差出人',
  'outbox.body': '本文',
  'outbox.headers': 'ヘッダー',
  'error.title': 'エラー',
  'error.notFound': 'ページが見つかりません。',
  'error.forbidden': 'このページを表示する権限がありません。',
  'error.generic': '問題が発生しました。しばらくしてからもう一度お試しください。',
  'error.home': 'トップページへ',
  ...adminJa,
  ...auditJa,
  ...inboxJa,
  ...refusalJa,
  ...templatesJa,
  ...liveJa,
  ...liveConfirmJa,
  ...parentJa,
  ...composeJa,
  ...cancelJa,
  ...resendJa,
  ...attachmentsJa,
  ...registrationJa,
  ...outboxJa,
  ...confirmJa,
  ...pushJa,
} as const;

export type MessageKey = keyof typeof ja;
