import { ACK_CHOICE, SAFETY_CHOICES } from '@renraku/shared';

// The families' confirmation page (/c/<token>), and the refusals the confirmation services name.
// The preset choices are the shared vocabulary's words, which staff and the mails read too.
export const confirmJa = {
  'confirm.title': '確認のお願い',
  'confirm.lead': 'お読みになったら、当てはまるボタンを 1 つ押してください。',
  'confirm.from': '送信元',
  'confirm.sentAt': '送信日時',
  'confirm.children': '対象のお子さま',
  'confirm.deadline': '{time} までにお答えください。',
  'confirm.choose': '回答',
  'confirm.current': '「{answer}」と回答済みです（{time}）。別のボタンを押すと回答を変えられます。',
  'confirm.answered': '回答しました',
  'confirm.answer': '回答: {answer}',
  'confirm.changed': '回答を「{previous}」から「{answer}」に変更しました。',
  'confirm.late': '回答の期限を過ぎていましたが、回答は学校に届いています。',
  'confirm.again': '回答を変えるときは、別のボタンを押してください。',
  'confirm.invalidTitle': 'このリンクは使えません',
  'confirm.invalidBody':
    'リンクが正しくないか、回答の受付が終わっています。メールのリンクをもう一度開くか、学校にお問い合わせください。',
  'confirm.busyTitle': 'しばらくお待ちください',
  'confirm.busyBody': '回答が集中しています。少し待ってからもう一度ボタンを押してください。',
  'confirm.error.notFound': 'このリンクは使えません。',
  'confirm.error.choice': 'その回答は選べません。下のボタンからもう一度選んでください。',
  'confirm.choice.ack': ACK_CHOICE,
  'confirm.choice.safe': SAFETY_CHOICES[0],
  'confirm.choice.injured': SAFETY_CHOICES[1],
  'confirm.choice.canPickUp': SAFETY_CHOICES[2],
  'confirm.choice.cannotPickUp': SAFETY_CHOICES[3],
} as const;
