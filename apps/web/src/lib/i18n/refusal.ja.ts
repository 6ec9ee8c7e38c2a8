// The services' refusals (ServiceError keys), worded as the school office has always read them.
export const refusalJa = {
  'refusal.unknown': '操作を完了できませんでした。',
  'refusal.page.boardOnly': '教育委員会だけが使えるページです。',
  'refusal.page.schedulesBoardOnly': '定期配信は教育委員会だけが使えるページです。',
  'refusal.page.schoolAdminOnly': 'この学校の管理者だけが使えるページです。',
  'refusal.page.adminOnly': 'この学校の管理者と教育委員会だけが使えるページです。',
  'refusal.roster.schoolAdminOnly': 'この学校の管理者だけが行える操作です。',
  'refusal.csv.empty': 'ファイルが空です。',
  'refusal.csv.tooLarge': 'ファイルが大きすぎます（上限 {megabytes}MB）。',
  'refusal.csv.encoding':
    '文字コードを判別できません。CSV（UTF-8 または Shift_JIS）で保存し直してください。',
  'refusal.csv.malformed': 'CSV の形式が正しくありません。',
  'refusal.csv.malformedNear': 'CSV の形式が正しくありません（{line} 行目付近）。',
  'refusal.csv.noHeader': '1 行目に見出し（列名）の行が必要です。',
  'refusal.csv.noRows': 'データの行がありません。',
  'refusal.csv.tooManyRows': '行が多すぎます（{rows} 行、上限 {max} 行）。',
  'refusal.csv.duplicateColumn': '同じ意味の列が 2 つあります: 「{column}」。',
  'refusal.roster.rowsWithErrors':
    'エラーのある行が {count} 行あるため、取り込みませんでした。修正するか、「正しい行だけ取り込む」を選んでください。',
  'refusal.roster.missingColumns':
    '必要な列がありません: {columns}。1 行目に「学籍番号, 学年, 組, 氏名, ふりがな, 世帯番号, 電話1, 電話2」のような見出しを付けてください。',
  'refusal.statistics.otherSchool': '他の学校の登録状況は見られません。',
  'refusal.student.notInRoster': 'この学校の名簿にその児童生徒はいません。',
  'refusal.student.alreadyLeft': 'この児童生徒はすでに転出または卒業しています。',
  'refusal.rollover.assignmentErrors':
    'クラス割り当てファイルにエラーがあるため、年度更新をしませんでした。',
  'refusal.rollover.noClasses': 'クラスがありません。先に名簿を取り込んでください。',
  'refusal.rollover.done':
    '{year}年度への年度更新は済んでいます。次の年度更新は{year}年度中（3月以降）に行えます。',
  'refusal.rollover.assignmentColumns':
    'クラス割り当てファイルには「学籍番号」と「組」の列が必要です（「学年」は任意）。',
  'refusal.unmatched.adminsOnly': 'この学校の管理者と教育委員会だけが行える操作です。',
  'refusal.unmatched.schoolNotFound': 'その学校は見つかりません。',
  'refusal.unmatched.registrationNotFound': 'その登録は見つかりません。',
  'refusal.unmatched.studentNotInRoster': 'その児童生徒は、この学校の名簿にいません。',
  'refusal.unmatched.classNotCurrent': 'そのクラスは、この学校の今年度のクラスではありません。',
  'refusal.class.notInSchool': 'この学校にそのクラスはありません。',
  'refusal.accounts.notAnAdmin': '職員アカウントを管理できるのは、教育委員会と学校管理者だけです。',
  'refusal.accounts.passwordRule': 'パスワードは{min}文字以上（200文字まで）にしてください。',
  'refusal.accounts.roleNotCreatable': 'この種類のアカウントは作成できません。',
  'refusal.accounts.loginRule':
    'ログインIDは3〜64文字の半角英数字と「.」「_」「-」で、英数字で始めてください。',
  'refusal.accounts.nameRule': '氏名を1行で入力してください（100文字まで、制御文字は使えません）。',
  'refusal.accounts.loginTaken': 'ログインID「{login}」はすでに使われています。',
  'refusal.accounts.chooseSchool': '学校を選んでください。',
  'refusal.accounts.chooseClass': 'この学校のクラスを選んでください。',
  'refusal.accounts.notYours': 'このアカウントを管理する権限がありません。',
  'refusal.upload.chooseCsv': 'CSV ファイルを選んでください。',
  'refusal.upload.expired':
    '確認の有効期限が切れたか、ファイルが正しくありません。もう一度ファイルを選んでプレビューしてください。',
  'refusal.tokens.nameRule':
    'トークンの名前（用途）を1行で入力してください（{max}文字まで、制御文字は使えません）。',
  'refusal.tokens.notFound': 'そのトークンはないか、すでに無効になっています。',
  'refusal.audit.adminOnly': '操作記録は学校の管理者と教育委員会だけが見られます。',
  'refusal.audit.otherSchool': '他の学校の操作記録は見られません。',
  'refusal.audit.badDate': '日付は 2026-04-07 の形で、実在する日を入れてください。',
  'refusal.audit.toBeforeFrom': '終了日は開始日と同じか、それより後の日にしてください。',
  'refusal.audit.unknownAction': 'その操作はありません。一覧から選んでください。',
  'refusal.audit.badId': '絞り込みの値が正しくありません。一覧から選んでください。',
} as const;
