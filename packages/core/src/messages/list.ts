import { listMessagesInScope } from '@renraku/db';
import { scopeFilter, type ConfirmRequest } from '@renraku/shared';
import type { CoreContext } from '../context';
import type { ActingStaff } from '../acting-staff';
import { summaryOf, type MessageSummary } from '../live';

// GET /api/v1/messages minus the HTTP plumbing: the recent messages the token's owner may
// see, scoped like the staff message list (the same query), in pages of `limit` before an id.

export const DEFAULT_PAGE_SIZE = 20;
export const MAX_PAGE_SIZE = 100;

/**
 * A message as an integration lists it. No counts: the message's recipient count is the
 * whole send's, while a teacher may know only its class's part (the progress call's answer).
 */
export type ApiListedMessage = Omit<MessageSummary, 'recipientCount'> & {
  /** 安否確認: what families are asked, null when nothing. */
  confirm: ConfirmRequest | null;
};

export interface ApiMessagePage {
  messages: ApiListedMessage[];
  /** Pass as `before` for the next page; null on the last page. */
  nextBefore: number | null;
}

export interface ApiQueryRefusal {
  ok: false;
  error: 'invalid_query';
  message: string;
  issues: { path: string; message: string }[];
}

/** A page's bounds as the query string gives them. */
export interface MessagePageQuery {
  ok: true;
  limit: number;
  before: number | undefined;
}

const WHOLE_NUMBER = /^[1-9][0-9]{0,9}$/;

/**
 * Reads `?limit=` (1–100, default 20) and `?before=` (a message id). Anything else, a
 * repeated or malformed value, is refused rather than ignored: a typo must not page silently.
 */
export function readMessagePageQuery(params: URLSearchParams): MessagePageQuery | ApiQueryRefusal {
  const issues: { path: string; message: string }[] = [];
  for (const name of new Set(params.keys())) {
    if (name !== 'limit' && name !== 'before') {
      issues.push({ path: name, message: `Unknown parameter "${name}": use limit and before.` });
    } else if (params.getAll(name).length > 1) {
      issues.push({ path: name, message: `Give ${name} once.` });
    }
  }
  const number = (name: string, max: number, rule: string): number | undefined => {
    const value = params.get(name);
    if (value === null) return undefined;
    const parsed = WHOLE_NUMBER.test(value) ? Number(value) : NaN;
    if (!(parsed <= max)) issues.push({ path: name, message: `${name} must be ${rule}.` });
    return parsed;
  };
  const limit = number('limit', MAX_PAGE_SIZE, `a whole number from 1 to ${MAX_PAGE_SIZE}`);
  const before = number('before', 2_147_483_647, 'a message id');
  if (issues.length > 0) {
    return { ok: false, error: 'invalid_query', message: issues[0]!.message, issues };
  }
  return { ok: true, limit: limit ?? DEFAULT_PAGE_SIZE, before };
}

/** The newest messages in the staff member's scope, older than `before` when given. */
export async function listApiMessages(
  ctx: Pick<CoreContext, 'db'>,
  staff: Pick<ActingStaff, 'scope'>,
  query: Pick<MessagePageQuery, 'limit' | 'before'>,
): Promise<ApiMessagePage> {
  // One more than asked for tells whether another page follows.
  const rows = await listMessagesInScope(
    ctx.db,
    scopeFilter(staff.scope),
    query.limit + 1,
    query.before,
  );
  const page = rows.slice(0, query.limit);
  return {
    messages: page.map((row) => {
      const { recipientCount: _whole, ...listed } = summaryOf(row);
      return { ...listed, confirm: row.confirm };
    }),
    nextBefore: rows.length > query.limit ? page[page.length - 1]!.id : null,
  };
}
