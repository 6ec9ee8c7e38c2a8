// The parent's inbox (/account/inbox) and the refusals of its answers.
export const inboxJa = {
  'inbox.title': 'これまでのお知らせ',
  'inbox.link': 'これまでのお知らせ（受信箱）',
  'inbox.lead':
    '登録してから学校と教育委員会が送ったお知らせです。メールが届かなかったときも、ここで読めます。',
  'inbox.empty': 'まだお知らせはありません。',
  'inbox.unmatched': '学校が名簿との照合を終えると、お子さまあてのお知らせがここに表示されます。',
  'inbox.current': '回答済み: {answer}（{time}）',
  'inbox.currentLate': '（期限後の回答）',
  'inbox.closed': 'この連絡の回答の受付は終わりました。',
  'inbox.noMail': 'この連絡には、ここからは回答できません。学校にお問い合わせください。',
  'inbox.older': '前のお知らせ',
  'inbox.newest': '最新のお知らせへ',
  'inbox.back': '登録内容へ戻る',
  'inbox.badCursor': 'ページの指定が正しくありません。',
  'inbox.error.notFound': 'そのお知らせは見つかりません。',
  'inbox.error.notAsking': 'このお知らせには回答できません。',
} as const;
