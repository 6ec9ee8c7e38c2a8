import nodemailer from 'nodemailer';
import {
  applySendFailureHealth,
  claimDeliveries,
  fanOutDueMessage,
  messageForMail,
  recordDeliveryOutcomes,
  removePushDevicesOf,
  renewLeases,
  runDueSchedule,
  settleMessages,
  type Db,
  type Lease,
} from '@renraku/db';
import type { Bus, Topic } from '@renraku/shared/bus';
import type { ChannelPayloads } from '@renraku/shared';
import { carrierDomainOf } from '@renraku/shared/crypto';
import { relayConnectionOptions } from '@renraku/shared/smtp';
import type { DispatchSettings } from './dispatcher';
import type { DeliveryStore, Mailer, SmtpReply, StatusBus } from './ports';

// The dispatcher's three ports, implemented with PostgreSQL (drizzle), nodemailer and the
// shared bus.

/** Due messages a single scheduling pass fans out at most, so one pass stays short. */
const FAN_OUTS_PER_PASS = 20;

/** The production store: every call is one statement (or one short transaction). */
export function createDrizzleStore(db: Db, lease: Lease): DeliveryStore {
  return {
    claim: (limit, maxPriority) => claimDeliveries(db, lease, limit, maxPriority),
    record: (outcomes) => recordDeliveryOutcomes(db, lease.workerId, outcomes),
    recordAddressFailures: (failures) => applySendFailureHealth(db, failures),
    removePushDevices: (deliveryIds) => removePushDevicesOf(db, deliveryIds),
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

/** DKIM signing as nodemailer takes it: the key's domain, its selector and the PEM key. */
export interface DkimSettings {
  domainName: string;
  keySelector: string;
  privateKey: string;
}

/** What the relay connections are built from: the relay, the carriers' limits, the key. */
export interface SmtpMailerSettings {
  smtpUrl: string;
  mailDomain: string;
  dkim: DkimSettings | null;
  dispatch: Pick<DispatchSettings, 'concurrency' | 'carrierLimits'>;
}

/**
 * nodemailer's pooled SMTP transports: the raw message passed through as rendered (and
 * DKIM-signed when a key is configured), and delivery status notifications requested so that
 * the relay's later success or failure reaches the inbound server. A carrier that counts mails
 * per session (docomo: 100) gets a pool of its own whose connections are replaced after that
 * many; everyone else shares one pool of `concurrency` connections.
 */
export function createSmtpMailer(settings: SmtpMailerSettings): Mailer {
  const { smtpUrl, mailDomain, dkim, dispatch } = settings;
  const pool = (maxConnections: number, maxMessages: number) =>
    nodemailer.createTransport({
      ...relayConnectionOptions(smtpUrl, mailDomain),
      pool: true,
      maxConnections,
      maxMessages,
      // One immediate retry on another connection when the relay hangs up before the message
      // went out (421, or an idle connection it dropped); beyond that our own backoff applies.
      maxRequeues: 1,
      ...(dkim && { dkim }),
    });
  const shared = pool(dispatch.concurrency, Infinity);
  const transports = [shared];
  const byDomain = new Map<string, typeof shared>();
  for (const carrier of dispatch.carrierLimits) {
    if (carrier.maxMessages === undefined) continue;
    const own = pool(carrier.concurrency, carrier.maxMessages);
    transports.push(own);
    for (const domain of carrier.domains) byDomain.set(domain, own);
  }
  return {
    async send({ envelopeFrom, to, raw, messageId, deliveryId }): Promise<SmtpReply> {
      try {
        const transport = byDomain.get(carrierDomainOf(to)) ?? shared;
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
      for (const transport of transports) transport.close();
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
    messageChanged: (event) => publish('messageChanged', event),
    messageFinished: (event) => publish('messageFinished', event),
    messageQueued: (messageId) => publish('messageQueued', { messageId }),
  };
}
