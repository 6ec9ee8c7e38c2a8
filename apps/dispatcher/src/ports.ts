import type {
  ClaimedDelivery,
  DeliveryOutcome,
  MessageForMail,
  SendFailure,
  StoredTransition,
} from '@renraku/db';
import type { MessageChanged, MessageFinished } from '@renraku/shared';

// The sending manager's ports: what it needs from storage, the relay and the bus, so that
// adapters.ts (and tests) can implement them without the manager knowing which.

/** Where deliveries come from and their outcomes go (PostgreSQL in production). */
export interface DeliveryStore {
  /** Up to `limit` due deliveries; with `maxPriority`, only those at least that urgent. */
  claim(limit: number, maxPriority?: number): Promise<ClaimedDelivery[]>;
  record(outcomes: DeliveryOutcome[]): Promise<StoredTransition[]>;
  /** A relay's refusal weighs on the address like a bounce; only batches with failures call it. */
  recordAddressFailures(failures: SendFailure[]): Promise<void>;
  /** Removes the devices these push deliveries went to: their push service says they are gone. */
  removePushDevices(deliveryIds: number[]): Promise<void>;
  renewLeases(): Promise<void>;
  /** Settles the given messages, or every open one; returns those now done. */
  settle(messageIds?: number[]): Promise<number[]>;
  messageForMail(messageId: number): Promise<MessageForMail | null>;
  /** Creates due recurring and scheduled messages' deliveries; returns the messages queued. */
  fanOutDue(): Promise<number[]>;
}

/** The SMTP relay's answer; code null when no server answered (connection failure). */
export interface SmtpReply {
  code: number | null;
  text: string;
}

/** One rendered mail; its Message-ID is passed along so the transport need not look for it. */
export interface OutgoingMail {
  envelopeFrom: string;
  to: string;
  raw: string;
  messageId: string;
  deliveryId: number;
}

/** The SMTP side; the dispatcher only needs the relay's answer to each mail. */
export interface Mailer {
  send(mail: OutgoingMail): Promise<SmtpReply>;
  close(): Promise<void>;
}

/** Live status for dashboards; best effort, never awaited by sending. */
export interface StatusBus {
  messageChanged(event: MessageChanged): void;
  messageFinished(event: MessageFinished): void;
  messageQueued(messageId: number): void;
}
