// 安否確認 on the dashboard, the call list and the board's overview (Japanese).
export const liveConfirmJa = {
  'live.confirm.heading': '安否確認',
  'live.confirm.confirmed': '確認済み',
  'live.confirm.unconfirmed': '未確認',
  'live.confirm.rate': '確認率',
  'live.confirm.answer': '回答',
  'live.confirm.households': '世帯数',
  'live.confirm.needsCall': '要連絡',
  'live.confirm.place': '学校・学級',
  'live.confirm.chart': '確認済み世帯の推移（送信から1分ごと）',
  'live.confirm.unconfirmedNote': '未確認: メールは届いたが、まだ確認していない世帯。',
  'live.confirm.escalated': '未確認の世帯は電話連絡リストに載っています。',
  'live.callList.answer': '回答',
  'live.callList.actionNeeded': '回答により連絡が必要なご家庭（{count}）',
  'live.callList.actionNeededLead':
    '「けががあります」「迎えに行けません」など、連絡が必要な回答をしたご家庭です。先にご連絡ください。',
  'live.callList.noAnswer': '回答なし',
  'live.overview.testMail': 'テスト配信の確認率',
  'live.overview.testMailOf': '最新のテスト配信: {subject}（{time}）',
  'live.overview.noTestMail': '確認を求めるテスト配信はまだありません。',
} as const;
