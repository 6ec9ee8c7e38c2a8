// Cancelling a scheduled send on the message page (Japanese).
export const cancelJa = {
  'cancel.heading': '予約送信',
  'cancel.waiting': '{time}に送信します。それまでは取り消せます。',
  'cancel.scheduledFor': '予約送信：{time}',
  'cancel.confirm': '取り消します（このメールは送信されません）',
  'cancel.submit': '予約を取り消す',
  'cancel.done': '取り消し済みです。このメールは送信されません。',
  'cancel.error.confirm': '取り消す場合は「取り消します」にチェックを入れてください。',
  'cancel.error.notFound': 'この配信は見つかりません。',
  'cancel.error.outsideScope':
    'この配信を取り消せるのは、送信した学校の担当者（教育委員会の配信は教育委員会）だけです。',
  'cancel.error.started': '取り消せません: 送信が始まっています。',
  'cancel.error.alreadyCancelled': 'この配信はすでに取り消されています。',
} as const;
