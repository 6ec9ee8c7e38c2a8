// The template tests' own closure notice (not the seed catalogue's, whose wording may change):
// Japanese, やさしい日本語, English and Korean, with a school, a date and a time slot.

export const CLOSURE = {
  name: '臨時休業',
  category: 'emergency_contact',
  slots: { 学校名: 'school', 日付: 'date', 時刻: 'time' },
  variants: {
    ja: {
      subject: '{学校名} {日付}は臨時休業です',
      body: '気象状況により、{学校名}は{日付}を臨時休業とします。\n次のお知らせは{時刻}までにお送りします。',
    },
    'ja-easy': {
      subject: '{学校名} {日付}は 学校が 休みです',
      body: '天気が わるいので、{学校名}は {日付}は 休みです。\nつぎの お知らせは {時刻}までに おくります。',
    },
    en: {
      subject: '{学校名}: School closed on {日付}',
      body: 'Because of the weather, {学校名} will be closed on {日付}.\nWe will send the next notice by {時刻}.',
    },
    ko: {
      subject: '{学校名} {日付} 임시 휴교',
      body: '기상 상황으로 인해 {学校名}은(는) {日付}에 임시 휴교합니다.\n다음 안내는 {時刻}까지 보내 드리겠습니다.',
    },
  },
};
