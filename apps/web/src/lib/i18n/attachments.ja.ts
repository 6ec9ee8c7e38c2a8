// 添付: the compose form's field, the confirmation, the dashboard and the families' pages.
export const attachmentsJa = {
  'attachments.legend': '添付ファイル（任意）',
  'attachments.hint':
    'PDF・JPEG・PNG、{max}ファイルまで、合計{size}まで。メールにはファイルではなく、開くためのリンクが入ります。写真の位置情報などは取り除かれます。',
  'attachments.kept': '添付済み（外すにはチェックを外してください）',
  'attachments.choose': 'ファイルを選ぶ',
  'attachments.heading': '添付ファイル',
  'attachments.none': 'なし',
  'attachments.downloads': '{count}回表示',
  'attachments.open': '開く',
  'attachments.error.type':
    '「{name}」は添付できません。PDF・JPEG・PNGのファイルを選んでください。',
  'attachments.error.polyglot':
    '「{name}」は別の形式のデータを含んでいるため添付できません。元のファイルから保存し直してください。',
  'attachments.error.empty': '「{name}」は空のファイル（0バイト）です。',
  'attachments.error.tooLarge': '添付ファイルは合計{max}までです。',
  'attachments.error.tooMany': '添付ファイルは{max}つまでです。',
  'attachments.error.unknown':
    '添付ファイルが見つかりません（送信済みか、別の方がアップロードしたものです）。もう一度選んでください。',
  'attachments.error.ids': '添付ファイルの指定が正しくありません。',
  'attachments.error.notFound': 'このファイルは見つかりません。リンクが古いか、正しくありません。',
} as const;
