import type { resendJa } from './resend.ja';

// 「未確認の家庭に再送」 on the message page (English).
export const resendEn: Record<keyof typeof resendJa, string> = {
  'resend.heading': 'Re-send to unconfirmed families',
  'resend.lead':
    'Sends the same message again, tagged 【再送】, to every registered address of the families that have not confirmed yet.',
  'resend.submit': 'Re-send to unconfirmed families',
  'resend.confirmLead': 'Re-send to the families that have not confirmed?',
  'resend.confirmSubmit': 'Re-send',
  'resend.done': '{count} mails re-sent.',
  'resend.none': 'Nothing to re-send (every family confirmed, or a re-send just went out).',
  'resend.error.notFound': 'No such message.',
  'resend.error.notAsking': 'This message does not ask for confirmation, or has not been sent yet.',
};
