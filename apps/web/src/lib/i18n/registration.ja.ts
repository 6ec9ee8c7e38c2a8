// Registration that reaches the right class (issue 12 items 5, 7, 18): the details form's
// answers, the parent's class correction on /account, and the staff list of registrations the
// roster does not know. Spread into ja.ts; registration.en.ts has the same keys.
export const registrationJa = {
  'parent.details.suggestions': '次のIDなら使えます:',
  'parent.details.limited':
    '入力の確認が続いたため、しばらく登録できません。{minutes}分ほど待ってから、もう一度お試しください。',
  'parent.details.unmatchedTitle': '名簿に一致するお子さまが見つかりません',
  'parent.details.unmatchedBody':
    '選んだ学年・クラスの名簿に、入力した氏名（カナ）のお子さまがいません。学年・クラス・氏名・カナをもう一度お確かめください。',
  'parent.details.confirmUnmatched':
    '入力のとおり登録する（学校が名簿と照らし合わせます。それまでは選んだクラスあてのメールが届きます）',
  'parent.account.unmatched':
    '学校の名簿と一致していません。学年・クラス・氏名に間違いがあれば直してください。',
  'parent.account.matched': '学校の名簿と一致しています。',
  'parent.account.correct': '学年・クラス・氏名を直す',
  'parent.correct.title': '学年・クラス・氏名の修正',
  'parent.correct.lead':
    'お子さまの学年・クラス・氏名を直すと、学校の名簿ともう一度照らし合わせます。',
  'parent.correct.matchedLead':
    '学校の名簿と一致しています。学年・クラスは学校の名簿のとおりです。違う場合は学校へお問い合わせください。',
  'parent.correct.submit': '修正する',
  'parent.correct.doneMatched': '修正しました。学校の名簿と一致しました。',
  'parent.correct.doneUnmatched':
    '修正しました。まだ学校の名簿と一致していません。学校が確認します。それまでは選んだクラスあてのメールが届きます。',
  'admin.unmatched.title': '名簿と一致しない登録',
  'admin.unmatched.lead':
    '保護者が登録したお子さまのうち、名簿の児童生徒と一致しないものです。選んだクラスあてのメールは届きますが、名簿の家庭は「未登録」として電話連絡リストに載ります。名簿の児童生徒と結びつけるか、正しいクラスへ移してください。',
  'admin.unmatched.empty': '名簿と一致しない登録はありません。',
  'admin.unmatched.chooseSchool': '学校を選んでください',
  'admin.unmatched.school': '学校',
  'admin.unmatched.show': '表示',
  'admin.unmatched.col.child': 'お子さま（登録）',
  'admin.unmatched.col.class': '選んだクラス',
  'admin.unmatched.col.registered': '登録日',
  'admin.unmatched.col.candidates': '名簿の候補',
  'admin.unmatched.col.move': 'クラスを移す',
  'admin.unmatched.noCandidates': '候補なし',
  'admin.unmatched.why.both': '氏名・カナが一致',
  'admin.unmatched.why.kana': 'カナが一致',
  'admin.unmatched.why.name': '氏名が一致',
  'admin.unmatched.why.similar': 'カナが似ている',
  'admin.unmatched.match': 'この児童生徒と結びつける',
  'admin.unmatched.moveSubmit': '移す',
  'admin.unmatched.matched': '名簿の児童生徒と結びつけました。',
  'admin.unmatched.moved': 'クラスを移しました。',
  'admin.unmatched.movedMatched': 'クラスを移し、名簿の児童生徒と一致しました。',
  'admin.unmatched.classValue': '{grade}年 {className}',
  'admin.unmatched.link': '一覧と修正',
} as const;
