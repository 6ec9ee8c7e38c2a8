import { findMessageInScope } from '@renraku/db';
import {
  countOf,
  DELIVERY_STATES,
  failedOf,
  mailedOf,
  reachedOf,
  scopeFilter,
  type ConfirmRequest,
  type DeliveryChannel,
  type DeliveryState,
  type StateCounts,
  type MessageState,
} from '@renraku/shared';
import type { WebContext } from '#server/context';
import type { StaffPrincipal } from '../auth/staff';
import { scopedFigures } from '@renraku/core/live';
import { confirmationFiguresIn, confirmedOf } from '@renraku/core/confirmation';
import { decodeUtf8 } from '../utf8';

// POST /api/v1/messages and GET /api/v1/messages/:id/progress, minus the HTTP plumbing:
// reading a bounded JSON body, and the progress and confirmation figures of a message the
// token may see.

/** A message is at most 5,000 characters of body; 64 KiB leaves room for any honest request. */
export const MAX_API_BODY_BYTES = 64 * 1024;

/** An API refusal before the send service is reached: status, `error` and an English message. */
export interface BodyRefusal {
  ok: false;
  status: 400 | 413 | 415;
  error:
    | 'unsupported_media_type'
    | 'payload_too_large'
    | 'malformed_json'
    | 'invalid_encoding'
    | 'invalid_input';
  message: string;
  /** For invalid_input, as the send service's refusals have them. */
  issues?: { path: string; message: string }[];
}

export function invalidBody(path: string, message: string): BodyRefusal {
  return { ok: false, status: 400, error: 'invalid_input', message, issues: [{ path, message }] };
}

/** What POST /api/v1/messages asks for: the message, and a key from the header or the body. */
export interface ApiSendRequest {
  ok: true;
  message: unknown;
  idempotencyKey: string | null;
}

async function boundedBytes(request: Request, limit: number): Promise<Uint8Array | null> {
  const declared = Number(request.headers.get('content-length') ?? '0');
  if (declared > limit) return null;
  if (!request.body) return new Uint8Array();
  const reader = request.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > limit) {
      await reader.cancel();
      return null;
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks);
}

/** A JSON object body, as every /api/v1 call that takes one reads it. */
export type JsonObjectBody = { ok: true; body: Record<string, unknown> } | BodyRefusal;

/**
 * Reads a JSON body: JSON only, at most `limit` bytes (a chunked body is counted as it
 * arrives), strict UTF-8, an object.
 */
export async function readJsonObject(
  request: Request,
  limit: number = MAX_API_BODY_BYTES,
): Promise<JsonObjectBody> {
  const type = request.headers.get('content-type') ?? '';
  if (!/^application\/json\s*(;|$)/i.test(type)) {
    return {
      ok: false,
      status: 415,
      error: 'unsupported_media_type',
      message: 'Send the body as application/json.',
    };
  }
  const bytes = await boundedBytes(request, limit);
  if (bytes === null) {
    return {
      ok: false,
      status: 413,
      error: 'payload_too_large',
      message: `The request body is larger than ${limit} bytes.`,
    };
  }
  const text = decodeUtf8(bytes);
  if (text === null) {
    return {
      ok: false,
      status: 400,
      error: 'invalid_encoding',
      message: 'The body is not valid UTF-8.',
    };
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return { ok: false, status: 400, error: 'malformed_json', message: 'The body is not JSON.' };
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    return invalidBody('', 'The body must be a JSON object.');
  }
  return { ok: true, body: parsed as Record<string, unknown> };
}

/**
 * Reads a send request (readJsonObject); the `Idempotency-Key` header wins over the body's
 * `idempotencyKey`. The body's `attachments` (ids from POST /api/v1/attachments) are the
 * service's `attachmentIds`.
 */
export async function readSendRequest(request: Request): Promise<ApiSendRequest | BodyRefusal> {
  const read = await readJsonObject(request);
  if (!read.ok) return read;
  const { idempotencyKey: fromBody, attachments, ...fields } = read.body;
  const message = { ...fields, attachmentIds: attachments };
  const key = request.headers.get('idempotency-key') ?? fromBody ?? null;
  if (key !== null && typeof key !== 'string') {
    return invalidBody('idempotencyKey', 'idempotencyKey must be a string.');
  }
  return { ok: true, message, idempotencyKey: key };
}

/**
 * The progress answer: every state present, so integrations need no defaults. The counts are
 * the caller's part of the message, as their dashboard shows it (a teacher: their class).
 */
export interface ApiProgress {
  id: number;
  state: MessageState;
  total: number;
  /** Accepted by the relay or delivered (REACHED_DELIVERY_STATES), as the dashboard counts. */
  reached: number;
  failed: number;
  counts: Record<DeliveryState, number>;
  /** The same figures by channel: mails to addresses, pushes to subscribed devices. */
  byChannel: Record<DeliveryChannel, ChannelProgress>;
  /** 安否確認: what families are asked; null when nothing (and the figures below are 0). */
  confirm: ConfirmRequest | null;
  /** Households that answered. */
  confirmed: number;
  /** Households a mail reached that have not answered. */
  unconfirmed: number;
  /** Households by answer: choice index → n, e.g. {"0": 12, "2": 3}. */
  answers: Record<string, number>;
}

/** One channel's share of a message's deliveries. */
export interface ChannelProgress {
  total: number;
  reached: number;
  failed: number;
}

function channelProgress(counts: StateCounts): ChannelProgress {
  return { total: countOf(counts), reached: reachedOf(counts), failed: failedOf(counts) };
}

/** A message's counts by delivery state in scope, or null for one the staff may not see. */
export async function messageProgress(
  ctx: Pick<WebContext, 'db'>,
  staff: Pick<StaffPrincipal, 'scope'>,
  messageId: number,
): Promise<ApiProgress | null> {
  const message = await findMessageInScope(ctx.db, messageId, scopeFilter(staff.scope));
  if (!message) return null;
  const progress = await scopedFigures(ctx, staff.scope, messageId);
  if (!progress) return null;
  const asked = message.confirm
    ? (await confirmationFiguresIn(ctx, staff.scope, messageId)).total
    : { unconfirmed: 0, answers: {} };
  const total = progress.figures.total;
  const counts = Object.fromEntries(
    DELIVERY_STATES.map((state) => [state, total[state] ?? 0]),
  ) as Record<DeliveryState, number>;
  return {
    id: messageId,
    state: progress.messageState,
    total: countOf(total),
    reached: reachedOf(total),
    failed: failedOf(total),
    counts,
    byChannel: {
      mail: channelProgress(mailedOf(total, progress.figures.pushed)),
      push: channelProgress(progress.figures.pushed),
    },
    confirm: message.confirm,
    confirmed: confirmedOf(asked),
    unconfirmed: asked.unconfirmed,
    answers: asked.answers,
  };
}
