import { error } from '@sveltejs/kit';
import { japanTime, requireOutbox } from '$lib/server/outbox';
import type { PageServerLoad } from './$types';

/** The text split into plain runs and links, so the demo's registration links can be clicked. */
function linkify(text: string): { text: string; href?: string }[] {
  return text
    .split(/(https?:\/\/[^\s<>"]+)/)
    .filter((part) => part !== '')
    .map((part) => (/^https?:\/\//.test(part) ? { text: part, href: part } : { text: part }));
}

export const load: PageServerLoad = ({ locals, params }) => {
  const outbox = requireOutbox(locals);
  const id = /^\d{1,9}$/.test(params.id) ? Number(params.id) : NaN;
  const mail = Number.isNaN(id) ? undefined : outbox.get(id);
  if (!mail) error(404, 'Not Found');
  const headerEnd = mail.raw.search(/\r?\n\r?\n/);
  return {
    mail: {
      receivedAt: japanTime(mail.receivedAt),
      from: mail.envelopeFrom,
      to: mail.envelopeTo.join(', '),
      subject: mail.subject,
      body: linkify(mail.text),
      headers: headerEnd === -1 ? mail.raw : mail.raw.slice(0, headerEnd),
    },
  };
};
