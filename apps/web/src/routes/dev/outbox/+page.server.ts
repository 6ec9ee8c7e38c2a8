import { error } from '@sveltejs/kit';
import {
  MAX_RECIPIENT_QUERY,
  outboxListing,
  recipientQueryOf,
  requireOutbox,
} from '$lib/server/outbox';
import type { PageServerLoad } from './$types';

export const load: PageServerLoad = ({ locals, url }) => {
  const outbox = requireOutbox(locals);
  const query = recipientQueryOf(url.searchParams);
  if (query === null) error(400, `to: at most ${MAX_RECIPIENT_QUERY} characters, once`);
  return { query, maxQuery: MAX_RECIPIENT_QUERY, ...outboxListing(outbox, query) };
};
