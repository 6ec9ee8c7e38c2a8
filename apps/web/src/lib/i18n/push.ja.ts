// Web Push on the parent's account, the channel setting and the install help (issue 15).
// Spread into ja.ts; push.en.ts has the same keys. Short sentences for a phone.
export const pushJa = {
  'push.title': 'この端末への通知',
  'push.lead':
    'メールが迷惑メールに振り分けられたり遅れたりしても、お知らせがこの端末に直接届きます。',
  'push.button': 'この端末に通知する',
  'push.needsJs':
    '通知の登録には JavaScript が必要です。スマートフォンのブラウザ（Chrome や Safari）で開いてください。',
  'push.unsupported':
    'この端末のブラウザは通知に対応していません。お知らせはこれまでどおりメールで届きます。',
  'push.unsupportedIos':
    'iPhone・iPad では、先にこのページをホーム画面に追加し、ホーム画面のアイコンから開いてください。',
  'push.unavailable': '現在、通知はご利用いただけません。お知らせはメールで届きます。',
  'push.denied':
    '通知が許可されませんでした。端末やブラウザの設定で、このサイトからの通知を許可してください。',
  'push.working': '登録しています…',
  'push.subscribed': 'この端末に通知が届くようになりました。',
  'push.failed': '通知を登録できませんでした。時間をおいて、もう一度お試しください。',
  'push.devices': '通知が届く端末',
  'push.devicesNone': 'まだ登録された端末はありません。',
  'push.deviceAdded': '{date} 追加',
  'push.deviceUnknown': '端末',
  'push.remove': '削除',
  'push.removed': 'その端末への通知を止めました。',
  'push.installLink': 'ホーム画面に追加する方法',
  'push.subscribe.invalid':
    '通知の登録内容が正しくありません。ページを開き直して、もう一度お試しください。',
  'push.subscribe.full':
    '通知が届く端末は {max} 台までです。使わない端末を削除してから、もう一度お試しください。',
  'push.remove.not_found': 'その端末は見つかりませんでした。すでに削除されています。',
  'push.channels.title': '受け取り方',
  'push.channels.educationMail': '教育情報もメールで受け取る',
  'push.channels.note':
    '緊急連絡・緊急情報は、この設定にかかわらず、メールと通知のすべてで届きます。',
  'push.channels.save': '保存する',
  'push.channels.saved': '受け取り方を保存しました。',
  'install.title': 'ホーム画面に追加する',
  'install.lead':
    'このページをホーム画面に追加すると、アプリのように開けて、お知らせの通知を受け取れます。アプリストアからのインストールは不要です。',
  'install.android.title': 'Android（Chrome）',
  'install.android.step1': 'Chrome でこのサイトを開き、ログインします。',
  'install.android.step2':
    '右上の「︙」（メニュー）を押し、「ホーム画面に追加」または「アプリをインストール」を選びます。',
  'install.android.step3':
    'ホーム画面のアイコンから開き、「この端末に通知する」を押して、通知を「許可」します。',
  'install.ios.title': 'iPhone・iPad（Safari、iOS 16.4 以降）',
  'install.ios.step1': 'Safari でこのサイトを開きます。',
  'install.ios.step2': '下の「共有」ボタン（□に↑）を押し、「ホーム画面に追加」を選びます。',
  'install.ios.step3':
    '必ずホーム画面のアイコンから開いてログインし、「この端末に通知する」を押して、通知を「許可」します。（Safari のままでは通知を受け取れません）',
  'install.mail': '通知を使わなくても、お知らせはこれまでどおりメールで届きます。',
  'install.account': 'アカウントのページを開く',
};
