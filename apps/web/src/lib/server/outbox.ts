import { error } from '@sveltejs/kit';
import { jstFormat } from '@renraku/shared';
import type { Outbox, OutboxKind, OutboxRetention } from '@renraku/shared/outbox';

/**
 * The demo mailbox exists only in the embedded mode, where every address is a demo address;
 * anywhere else /dev/outbox is a plain 404. No login: the demo's "parent" reads it too.
 */
export function requireOutbox(locals: App.Locals): Outbox {
  if (!locals.ctx.outbox) error(404, 'Not Found');
  return locals.ctx.outbox;
}

// What toLocaleString('ja-JP') shows ("2026/4/7 8:15:00"): the outbox keeps the seconds.
const outboxTime = jstFormat({
  year: 'numeric',
  month: 'numeric',
  day: 'numeric',
  hour: 'numeric',
  minute: '2-digit',
  second: '2-digit',
});

/** Times are shown as the schools see them, in Japan time, whatever the server's zone. */
export function japanTime(iso: string): string {
  return outboxTime.format(new Date(iso));
}

/** An address is at most 254 characters (RFC 5321); a longer search cannot match one. */
export const MAX_RECIPIENT_QUERY = 254;

/** The form's value as typed, or null when it is too long or given twice (400). */
export function recipientQueryOf(params: URLSearchParams): string | null {
  const values = params.getAll('to');
  if (values.length > 1) return null;
  const value = (values[0] ?? '').trim();
  return value.length > MAX_RECIPIENT_QUERY ? null : value;
}

/** How a search and an address are compared: full-width typing folded (NFKC), any case. */
const folded = (text: string) => text.normalize('NFKC').toLowerCase();

export interface OutboxListing {
  mails: { id: number; kind: OutboxKind; receivedAt: string; to: string; subject: string }[];
  retention: OutboxRetention[];
}

/** The kept mails, newest first; with a query, those with a recipient containing it. */
export function outboxListing(outbox: Outbox, query: string): OutboxListing {
  const wanted = folded(query);
  return {
    mails: outbox
      .list()
      .filter((mail) => wanted === '' || mail.envelopeTo.some((to) => folded(to).includes(wanted)))
      .map((mail) => ({
        id: mail.id,
        kind: mail.kind,
        receivedAt: japanTime(mail.receivedAt),
        to: mail.envelopeTo.join(', '),
        subject: mail.subject,
      })),
    retention: outbox.retention(),
  };
}
