import { japanTime, requireOutbox } from '$lib/server/outbox';
import type { PageServerLoad } from './$types';

export const load: PageServerLoad = ({ locals }) => {
  const mails = requireOutbox(locals)
    .list()
    .map((mail) => ({
      id: mail.id,
      receivedAt: japanTime(mail.receivedAt),
      to: mail.envelopeTo.join(', '),
      subject: mail.subject,
    }))
    .sort((a, b) => b.id - a.id);
  return { mails };
};
