// 「未確認の家庭に再送」 on the message page (Japanese).
export const resendJa = {
  'resend.heading': '未確認の家庭への再送',
  'resend.lead':
    'まだ確認していない家庭に、件名に【再送】を付けて同じ内容をもう一度送ります（登録中のアドレスすべてへ）。',
  'resend.submit': '未確認の家庭に再送',
  'resend.confirmLead': '未確認の家庭に再送します。よろしいですか。',
  'resend.confirmSubmit': '再送する',
  'resend.done': '{count}件のメールを再送しました。',
  'resend.none': '再送するメールはありません（全家庭が確認済みか、直前に再送済みです）。',
  'resend.error.notFound': 'この配信は見つかりません。',
  'resend.error.notAsking': 'この配信は確認を求めていないか、まだ送信されていません。',
} as const;
