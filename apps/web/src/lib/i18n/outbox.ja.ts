// The demo's /dev/outbox: what it keeps and the search by recipient (Japanese).
export const outboxJa = {
  'outbox.keeps':
    '一斉配信のメールは新しい {broadcast} 通まで、登録案内などのメールは別に新しい {transactional} 通まで保持します（一斉配信で押し出されることはありません）。再起動すると消えます。',
  'outbox.dropped.broadcast': '古い一斉配信 {count} 通は表示できません（保持数を超えました）。',
  'outbox.dropped.transactional':
    '古い登録案内など {count} 通は表示できません（保持数を超えました）。',
  'outbox.search.label': '宛先で検索',
  'outbox.search.hint': 'アドレスの一部（例：docomo.ne.jp）',
  'outbox.search.submit': '検索',
  'outbox.search.clear': 'すべて表示',
  'outbox.search.count': '「{query}」宛て {count} 通',
  'outbox.search.none': '該当するメールはありません。',
  'outbox.kind.broadcast': '一斉配信',
  'outbox.kind.transactional': '登録・手続き',
} as const;
