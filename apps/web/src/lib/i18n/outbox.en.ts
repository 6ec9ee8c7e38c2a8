import type { outboxJa } from './outbox.ja';

// The demo's /dev/outbox: what it keeps and the search by recipient (English).
export const outboxEn: Record<keyof typeof outboxJa, string> = {
  'outbox.keeps':
    'Keeps the newest {broadcast} mails of broadcasts and, apart from them, the newest {transactional} other mails (registration and the like), which a broadcast cannot push out. A restart empties both.',
  'outbox.dropped.broadcast': '{count} older broadcast mails are no longer kept.',
  'outbox.dropped.transactional': '{count} older registration and other mails are no longer kept.',
  'outbox.search.label': 'Search by recipient',
  'outbox.search.hint': 'Part of the address (e.g. docomo.ne.jp)',
  'outbox.search.submit': 'Search',
  'outbox.search.clear': 'Show all',
  'outbox.search.count': '{count} mails to “{query}”',
  'outbox.search.none': 'No mail matches.',
  'outbox.kind.broadcast': 'Broadcast',
  'outbox.kind.transactional': 'Registration etc.',
};
