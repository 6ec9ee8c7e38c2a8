import type { liveConfirmJa } from './live-confirm.ja';

// 安否確認 on the dashboard, the call list and the board's overview (English).
export const liveConfirmEn: Record<keyof typeof liveConfirmJa, string> = {
  'live.confirm.heading': 'Confirmations',
  'live.confirm.confirmed': 'Confirmed',
  'live.confirm.unconfirmed': 'Not confirmed',
  'live.confirm.rate': 'Confirmation rate',
  'live.confirm.answer': 'Answer',
  'live.confirm.households': 'Households',
  'live.confirm.needsCall': 'Call needed',
  'live.confirm.place': 'School / class',
  'live.confirm.chart': 'Confirmed households since the send (per minute)',
  'live.confirm.unconfirmedNote':
    'Not confirmed: households a mail reached that have not confirmed yet.',
  'live.confirm.escalated': 'Households that have not confirmed are on the call list.',
  'live.callList.answer': 'Answer',
  'live.callList.actionNeeded': 'Families whose answer needs a call ({count})',
  'live.callList.actionNeededLead':
    'These families answered that they need help (injured, cannot pick up, …). Call them first.',
  'live.callList.noAnswer': 'No answer',
  'live.overview.testMail': 'Confirmation rate of the test mail',
  'live.overview.testMailOf': 'Latest test mail: {subject} ({time})',
  'live.overview.noTestMail': 'No test mail has asked for confirmation yet.',
};
