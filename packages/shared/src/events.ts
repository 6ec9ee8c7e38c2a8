import { z } from 'zod';
import type { CallMark, DeliveryState, MessageState } from './domain';

// Every Redis channel and Socket.IO event is declared here once, with its payload type.

/**
 * A message's stored deliveries or state changed: web processes re-read its figures from
 * PostgreSQL (the only source of counts), so the event carries nothing else, and no address.
 */
export const messageChangedSchema = z.object({ messageId: z.number().int().positive() });
export type MessageChanged = z.infer<typeof messageChangedSchema>;

/** Tells dispatchers a message has deliveries to claim (they also poll). */
export const messageQueuedSchema = z.object({ messageId: z.number().int().positive() });
export type MessageQueued = z.infer<typeof messageQueuedSchema>;

/** A message reached its final state (done / cancelled). */
export const messageFinishedSchema = z.object({
  messageId: z.number().int().positive(),
  state: z.enum(['done', 'cancelled']),
});
export type MessageFinished = z.infer<typeof messageFinishedSchema>;

const PREFIX = 'renraku:';

/** The bus topics: each one's Redis channel and the schema its payload is checked against. */
export const busTopics = {
  messageChanged: { channel: `${PREFIX}message-changed`, schema: messageChangedSchema },
  messageQueued: { channel: `${PREFIX}message-queued`, schema: messageQueuedSchema },
  messageFinished: { channel: `${PREFIX}message-finished`, schema: messageFinishedSchema },
} as const;

export type ChannelPayloads = {
  [T in keyof typeof busTopics]: z.infer<(typeof busTopics)[T]['schema']>;
};

/** Counts of deliveries by state; absent states are zero. */
export type StateCounts = Partial<Record<DeliveryState, number>>;

/** Counts of one message within the viewer's scope: overall, per school and per class. */
export interface ProgressFigures {
  total: StateCounts;
  bySchool: Record<number, StateCounts>;
  byClass: Record<number, StateCounts>;
  /** The pushes among `total` (the rest are mails): the dashboard counts by channel. */
  pushed: StateCounts;
}

/**
 * 安否確認 figures of one part of a message, in households: how many answered each choice
 * (choice index → n; absent choices are zero) and how many a mail reached that have not
 * answered (未確認).
 */
export interface AnswerCounts {
  unconfirmed: number;
  answers: Record<string, number>;
}

/** A confirming message's answers within the viewer's scope: overall, per school and class. */
export interface ConfirmationFigures {
  total: AnswerCounts;
  bySchool: Record<number, AnswerCounts>;
  byClass: Record<number, AnswerCounts>;
}

/**
 * Progress of one message as the dashboard shows it, within the viewer's scope, read from
 * PostgreSQL by the web process that serves the socket. `stream` names that process's live
 * stream and `seq` the last delta it already contains: the client applies only deltas of the
 * same stream with a greater seq (see apps/web/server/live/bridge.ts for the protocol).
 */
export interface ProgressSnapshot extends ProgressFigures {
  messageId: number;
  stream: string;
  seq: number;
  messageState: MessageState;
  /** The latest failures in scope, newest first (bounded). */
  failures: FailureNotice[];
  /** Its answers when the message asks for confirmation, else null. */
  confirmation: ConfirmationFigures | null;
  /** Reached households that did not confirm are on the call list (追いかけ's last step). */
  escalated: boolean;
}

/** Coalesced change since the previous seq of the same stream; only changed entries appear. */
export interface ProgressDelta extends ProgressFigures {
  messageId: number;
  stream: string;
  seq: number;
  failures: FailureNotice[];
  messageState?: MessageState;
  /** What changed in the answers since the previous seq; absent when nothing did. */
  confirmation?: ConfirmationFigures;
  /** Present once, in the delta of the read that saw the escalation. */
  escalated?: true;
}

/**
 * Why a mail did not reach the family: the relay refused it (5xx), it kept being deferred
 * until the retries ran out, it bounced after acceptance, or it could not be sent at all
 * (address withdrawn or unusable).
 */
export type FailureReason = 'rejected' | 'retries_exhausted' | 'bounced' | 'unsendable';

/** A failure as staff may see it: the child, the class and the reason, never the address. */
export interface FailureNotice {
  deliveryId: number;
  /** The child (or the siblings, joined) the failed mail was for; null when withdrawn. */
  studentName: string | null;
  schoolId: number | null;
  classId: number | null;
  /** "3年1組". */
  className: string | null;
  reason: FailureReason;
  code: number | null;
  at: string;
}

/** A call-list row's mark, shown to every open call list of the message at once. */
export interface CallListMarkEvent {
  messageId: number;
  householdId: number;
  /** Null when the mark was cleared. */
  mark: CallMark | null;
  staffName: string | null;
  markedAt: string;
}

/** Socket.IO events the server emits. */
export interface ServerToClientEvents {
  'progress:delta': (delta: ProgressDelta) => void;
  'callList:mark': (event: CallListMarkEvent) => void;
}

/** Why the server refused a client's request; the client shows a message per kind. */
export type SocketRefusal = 'invalid' | 'not_found' | 'unavailable' | 'rate_limited';

/** Socket.IO events a client may send; every payload is validated on the server. */
export interface ClientToServerEvents {
  'message:watch': (
    payload: { messageId: number },
    ack: (
      result: { ok: true; snapshot: ProgressSnapshot } | { ok: false; error: SocketRefusal },
    ) => void,
  ) => void;
  'message:unwatch': (payload: { messageId: number }) => void;
  'callList:mark': (
    payload: { messageId: number; householdId: number; mark: CallMark | null },
    ack: (
      result: { ok: true; event: CallListMarkEvent } | { ok: false; error: SocketRefusal },
    ) => void,
  ) => void;
}
