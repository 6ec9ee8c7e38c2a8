import type { CallMark, DeliveryState, MessageState } from './domain';

// Every Redis channel and Socket.IO event is declared here once, with its payload type.

/** One recipient's state change, as the dispatcher stored it. Never carries an address. */
export interface DeliveryTransition {
  deliveryId: number;
  from: DeliveryState;
  to: DeliveryState;
  schoolId: number | null;
  classId: number | null;
  /** SMTP or DSN reply code, for the failure stream. */
  code: number | null;
}

/** Payload of the per-message status channel: one stored batch of transitions. */
export interface DeliveryStatusBatch {
  messageId: number;
  transitions: DeliveryTransition[];
}

/** Payload that tells dispatchers a message has deliveries to claim (they also poll). */
export interface MessageQueued {
  messageId: number;
}

/** A message reached its final state (done / cancelled). */
export interface MessageFinished {
  messageId: number;
  state: 'done' | 'cancelled';
}

const PREFIX = 'renraku:';

/** Typed bus channels: name builders and the payload each carries. */
export const channels = {
  deliveryStatus: (messageId: number) => `${PREFIX}message:${messageId}:status` as const,
  deliveryStatusPattern: `${PREFIX}message:*:status` as const,
  messageQueued: `${PREFIX}message-queued` as const,
  messageFinished: `${PREFIX}message-finished` as const,
};

export interface ChannelPayloads {
  deliveryStatus: DeliveryStatusBatch;
  messageQueued: MessageQueued;
  messageFinished: MessageFinished;
}

/** Counts of deliveries by state; absent states are zero. */
export type StateCounts = Partial<Record<DeliveryState, number>>;

/** Counts of one message within the viewer's scope: overall, per school and per class. */
export interface ProgressFigures {
  total: StateCounts;
  bySchool: Record<number, StateCounts>;
  byClass: Record<number, StateCounts>;
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
}

/** Coalesced change since the previous seq of the same stream; only changed entries appear. */
export interface ProgressDelta extends ProgressFigures {
  messageId: number;
  stream: string;
  seq: number;
  failures: FailureNotice[];
  messageState?: MessageState;
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
