import nodemailer from 'nodemailer';
import {
  claimDeliveries,
  fanOutDueMessage,
  messageForMail,
  recordDeliveryOutcomes,
  renewLeases,
  runDueSchedule,
  settleMessages,
  type Db,
  type Lease,
} from '@renraku/db';
import type { Bus, Topic } from '@renraku/shared/bus';
import type { ChannelPayloads } from '@renraku/shared';
import type { DeliveryStore, Mailer, SmtpReply, StatusBus } from './dispatcher';

// The dispatcher's three ports, implemented with PostgreSQL (drizzle), nodemailer and the
// shared bus.

/** Due messages a single scheduling pass fans out at most, so one pass stays short. */
const FAN_OUTS_PER_PASS = 20;

/** The production store: every call is one statement (or one short transaction). */
export function createDrizzleStore(db: Db, lease: Lease): DeliveryStore {
  return {
    claim: (limit) => claimDeliveries(db, lease, limit),
    record: (outcomes) => recordDeliveryOutcomes(db, lease.workerId, outcomes),
    renewLeases: () => renewLeases(db, lease),
    settle: (messageIds) => settleMessages(db, messageIds),
    messageForMail: (messageId) => messageForMail(db, messageId),
    async fanOutDue() {
      const queued: number[] = [];
      for (const next of [runDueSchedule, fanOutDueMessage]) {
        while (queued.length < FAN_OUTS_PER_PASS) {
          const messageId = await next(db);
          if (messageId === null) break;
          queued.push(messageId);
        }
      }
      return queued;
    },
  };
}

interface SmtpError {
  responseCode?: number;
  response?: string;
  code?: string;
  message?: string;
}

/**
 * nodemailer's pooled SMTP transport: `concurrency` connections kept open to the relay, the
 * raw message passed through as rendered, and delivery status notifications requested so
 * that the relay's later success or failure reaches the inbound server.
 */
export function createSmtpMailer(smtpUrl: string, concurrency: number, mailDomain: string): Mailer {
  const transport = nodemailer.createTransport({
    url: smtpUrl,
    pool: true,
    maxConnections: concurrency,
    maxMessages: Infinity,
    // One immediate retry on another connection when the relay hangs up before the message
    // went out (421, or an idle connection it dropped); beyond that our own backoff applies.
    maxRequeues: 1,
    name: mailDomain,
    connectionTimeout: 30_000,
    greetingTimeout: 30_000,
    socketTimeout: 60_000,
    logger: false,
    disableFileAccess: true,
    disableUrlAccess: true,
  });
  return {
    async send({ envelopeFrom, to, raw, messageId, deliveryId }): Promise<SmtpReply> {
      try {
        const info = await transport.sendMail({
          envelope: { from: envelopeFrom, to: [to] },
          raw,
          // Already in the raw message; given here, nodemailer does not generate one to discard.
          messageId,
          dsn: {
            ret: 'HDRS',
            notify: ['SUCCESS', 'FAILURE', 'DELAY'],
            envid: String(deliveryId),
          },
        });
        const response = String(info.response ?? '');
        return { code: Number.parseInt(response.slice(0, 3), 10) || 250, text: response };
      } catch (error) {
        const smtp = error as SmtpError;
        return {
          code: typeof smtp.responseCode === 'number' ? smtp.responseCode : null,
          text: smtp.response ?? `${smtp.code ?? 'ERROR'}: ${smtp.message ?? String(error)}`,
        };
      }
    },
    async close() {
      transport.close();
    },
  };
}

/**
 * Publishes without ever waiting: a Redis that is down or slow must not slow sending. Past
 * `maxPending` unanswered publishes, new ones are dropped; dashboards catch up from PostgreSQL.
 */
export function createStatusBus(bus: Bus, maxPending = 1000): StatusBus {
  let pending = 0;
  const publish = <T extends Topic>(topic: T, payload: ChannelPayloads[T]) => {
    if (pending >= maxPending) return;
    pending++;
    void bus
      .publish(topic, payload)
      .catch(() => {})
      .finally(() => pending--);
  };
  return {
    deliveryStatus: (batch) => publish('deliveryStatus', batch),
    messageFinished: (event) => publish('messageFinished', event),
    messageQueued: (messageId) => publish('messageQueued', { messageId }),
  };
}
