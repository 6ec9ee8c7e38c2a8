import { error } from '@sveltejs/kit';
import type { Outbox } from '@renraku/shared/outbox';

/**
 * The demo mailbox exists only in the embedded mode, where every address is a demo address;
 * anywhere else /dev/outbox is a plain 404. No login: the demo's "parent" reads it too.
 */
export function requireOutbox(locals: App.Locals): Outbox {
  if (!locals.ctx.outbox) error(404, 'Not Found');
  return locals.ctx.outbox;
}

/** Times are shown as the schools see them, in Japan time, whatever the server's zone. */
export function japanTime(iso: string): string {
  return new Date(iso).toLocaleString('ja-JP', { timeZone: 'Asia/Tokyo' });
}
