import type { CallMark, DeliveryState } from './domain';

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

/** Progress of one message as the dashboard shows it, within the viewer's scope. */
export interface ProgressSnapshot {
  messageId: number;
  seq: number;
  total: StateCounts;
  bySchool: Record<number, StateCounts>;
  byClass: Record<number, StateCounts>;
  messageState: string;
}

/** Coalesced change since the previous sequence number. */
export interface ProgressDelta {
  messageId: number;
  seq: number;
  total: StateCounts;
  bySchool: Record<number, StateCounts>;
  byClass: Record<number, StateCounts>;
  failures: FailureNotice[];
  messageState?: string;
}

/** A failure as staff may see it: the child and the reason, never the address. */
export interface FailureNotice {
  deliveryId: number;
  schoolId: number | null;
  classId: number | null;
  state: DeliveryState;
  code: number | null;
}

export interface CallListMarkEvent {
  messageId: number;
  householdId: number;
  mark: CallMark | null;
  staffName: string;
  markedAt: string;
}

/** Socket.IO events the server emits. */
export interface ServerToClientEvents {
  'progress:snapshot': (snapshot: ProgressSnapshot) => void;
  'progress:delta': (delta: ProgressDelta) => void;
  'callList:mark': (event: CallListMarkEvent) => void;
  'callList:changed': (event: { messageId: number }) => void;
}

/** Socket.IO events a client may send; every payload is validated on the server. */
export interface ClientToServerEvents {
  'message:watch': (
    payload: { messageId: number },
    ack: (result: { ok: true; snapshot: ProgressSnapshot } | { ok: false; error: string }) => void,
  ) => void;
  'message:unwatch': (payload: { messageId: number }) => void;
  'callList:mark': (
    payload: { messageId: number; householdId: number; mark: CallMark | null },
    ack: (result: { ok: true } | { ok: false; error: string }) => void,
  ) => void;
}
