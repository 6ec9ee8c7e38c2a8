import type { inboxJa } from './inbox.ja';

// English for every key of inbox.ja.ts; the type makes a missing key a compile error.

export const inboxEn: Record<keyof typeof inboxJa, string> = {
  'inbox.title': 'Messages',
  'inbox.link': 'All messages (inbox)',
  'inbox.lead':
    'The messages the school and the board sent since you registered. You can read them here even when a mail did not arrive.',
  'inbox.empty': 'No messages yet.',
  'inbox.unmatched':
    'Once the school has matched your registration with its roster, the messages for your child appear here.',
  'inbox.current': 'Answered: {answer} ({time})',
  'inbox.currentLate': '(answered after the deadline)',
  'inbox.closed': 'This message no longer takes answers.',
  'inbox.noMail': 'This message cannot be answered here. Please contact the school.',
  'inbox.older': 'Older messages',
  'inbox.newest': 'Newest messages',
  'inbox.back': 'Back to your registration',
  'inbox.badCursor': 'That page does not exist.',
  'inbox.error.notFound': 'That message was not found.',
  'inbox.error.notAsking': 'This message cannot be answered.',
};
