import type { DispatcherMetrics } from '../metrics';
import type { AddressInfo } from 'node:net';
import { hitRateLimit, type Db } from '@renraku/db';
import { createConfirmationRecorder } from '@renraku/core/confirmation';
import { createInProcessBus, type Bus } from '@renraku/shared/bus';
import { blindIndex, type Keys } from '@renraku/shared/crypto';
import type { Logger } from '@renraku/shared/logger';
import { DEFAULT_FEATURE_PHONE_DOMAINS, type OutgoingMail } from '@renraku/shared/mail';
import {
  SMTPServer,
  type SMTPServerAddress,
  type SMTPServerDataStream,
  type SMTPServerEnvelope,
  type SMTPServerSession,
} from 'smtp-server';
import { clientKeyOf, isAnswerableAddress, senderRef } from './envelope';
import type { StatusBus } from '../ports';
import { takeBounce } from './bounces/intake';
import { isPersonalReply, takeReply } from './confirm-reply';
import {
  answerRecipient,
  isAnswered,
  resolveRecipient,
  ReplyNotSentError,
  type Recipient,
} from './intake';
import {
  isAutomaticMail,
  isMachineAddress,
  messageIdOf,
  parseHeaderBlock,
  readMessage,
} from './message';

// The inbound SMTP server: parents' empty mails to a school's registration address (leaflet ①)
// and to add-<token>@MAIL_DOMAIN, each answered with a single-use link; bounce+…@ goes to the
// bounce intake (./bounces), reply+…@ (a confirming mail's Reply-To) to the reply intake
// (./confirm-reply), and no-reply@ is accepted and dropped. Every other recipient is
// refused at RCPT, so nothing unknown is ever read. Plain SMTP without AUTH or STARTTLS: in
// production it sits behind the MX that holds the TLS certificate and relays the registration
// addresses here (or is the MX itself on a private network). Replies that cannot be sent get
// 451, so the parent's mail server retries.
//
// SMTP answers, in the order a transaction meets them:
//   MAIL  553 sender we could never answer (non-ASCII, quoted, no domain); <> is accepted
//   MAIL  552 SIZE= above the limit (advertised in EHLO)
//   RCPT  550 unknown recipient, or an add-<token> that is unknown, used or expired
//   RCPT  450 the client (IP, IPv6 /64) or the sender (by blind index) is over its limit
//   DATA  552 longer than the limit, counted on the stream; nothing is buffered past it
//   DATA  550 not a mail header (garbage, binary, no From)
//   DATA  250 null sender or automatic mail (RFC 3834): accepted, never answered
//   DATA  250 bounce+…@: read and applied when the tag is ours, ignored when forged
//   DATA  250 reply+…@: a person's reply confirms; automatic mail, bounces and forged tags not
//   DATA  451 the database or the relay failed; nothing is kept, the client retries

/** A fixed-window limit: at most `limit` mails per `windowSeconds`. */
export interface RateLimitRule {
  limit: number;
  windowSeconds: number;
}

/** Everything the server uses, passed in explicitly; the dispatcher's env.ts maps the variables. */
export interface InboundOptions {
  db: Db;
  keys: Keys;
  logger: Logger;
  /** Interface to listen on, e.g. 0.0.0.0 (INBOUND_SMTP_HOST). */
  host: string;
  /** 0 picks a free port (tests); the chosen one is returned (INBOUND_SMTP_PORT, 2525). */
  port: number;
  /** MAIL_DOMAIN: the domain of add-…@, bounce+…@ and the no-reply sender. */
  mailDomain: string;
  /** PUBLIC_URL: the web app's origin (and path prefix) that links point to. */
  publicUrl: string;
  /** Hands one reply to the outbound relay (a nodemailer transport to SMTP_URL). */
  sendReply: (mail: OutgoingMail) => Promise<unknown>;
  /** FEATURE_PHONE_DOMAINS: whose replies go out as ISO-2022-JP; the default list when absent. */
  featurePhoneDomains?: readonly string[];
  /** INBOUND_MAX_BYTES; an empty mail from a phone is 1–3 KiB. */
  maxMessageBytes?: number;
  /** INBOUND_MAX_CLIENTS: concurrent connections. */
  maxClients?: number;
  /** Per envelope sender (INBOUND_SENDER_LIMIT / INBOUND_SENDER_WINDOW_SECONDS). */
  senderLimit?: RateLimitRule;
  /** Per client IP (INBOUND_CLIENT_LIMIT / INBOUND_CLIENT_WINDOW_SECONDS). */
  clientLimit?: RateLimitRule;
  /** Validity of the mailed links (REGISTRATION_LINK_TTL_SECONDS); the leaflet's 24 hours. */
  linkTtlSeconds?: number;
  /** Where bounce intake announces delivery changes (the dispatcher's bus); optional. */
  status?: Pick<StatusBus, 'messageChanged' | 'messageFinished'>;
  /** Where replies' confirmations are announced; without it dashboards catch up by polling. */
  bus?: Bus;
  /** Counts each reply given and each bounce report read. */
  metrics?: Pick<DispatcherMetrics, 'inbound' | 'bounce'> | undefined;
}

/**
 * Defaults a city needs. A parent who gets no reply sends again (the leaflet says so), but ten
 * mails an hour from one address is already a loop or abuse. Per client the limit is generous:
 * in April a whole school's parents register within days, and a carrier's few outbound
 * servers relay all of them (300 per 10 minutes is one mail every two seconds, sustained).
 */
export const INBOUND_DEFAULTS = {
  maxMessageBytes: 64 * 1024,
  maxClients: 100,
  senderLimit: { limit: 10, windowSeconds: 3600 },
  clientLimit: { limit: 300, windowSeconds: 600 },
  linkTtlSeconds: 24 * 3600,
} as const satisfies Partial<InboundOptions>;

/** What the dispatcher's configuration sets (env.ts parses it into this shape). */
export type InboundSettings = Required<
  Pick<
    InboundOptions,
    | 'host'
    | 'port'
    | 'maxMessageBytes'
    | 'maxClients'
    | 'senderLimit'
    | 'clientLimit'
    | 'linkTtlSeconds'
  >
>;

/** A running server; close() lets transactions in progress finish (up to 10 s). */
export interface InboundServer {
  port: number;
  close(): Promise<void>;
}

/** A parent's mail server may send up to this many RCPTs in one transaction. */
const MAX_RECIPIENTS = 10;
const CLOSE_GRACE_MS = 10_000;

type SmtpCallback = (error?: Error | null, message?: string) => void;

function smtpError(responseCode: number, message: string): Error {
  return Object.assign(new Error(message), { responseCode });
}

/** Starts listening; resolves once the port is bound. */
export async function startInboundServer(options: InboundOptions): Promise<InboundServer> {
  const { db, keys, logger, mailDomain } = options;
  const maxMessageBytes = options.maxMessageBytes ?? INBOUND_DEFAULTS.maxMessageBytes;
  const senderLimit = options.senderLimit ?? INBOUND_DEFAULTS.senderLimit;
  const clientLimit = options.clientLimit ?? INBOUND_DEFAULTS.clientLimit;
  const intake = {
    db,
    keys,
    logger,
    site: {
      publicUrl: options.publicUrl,
      mailDomain,
      featurePhoneDomains: options.featurePhoneDomains ?? DEFAULT_FEATURE_PHONE_DOMAINS,
    },
    linkTtlSeconds: options.linkTtlSeconds ?? INBOUND_DEFAULTS.linkTtlSeconds,
    sendReply: options.sendReply,
  };

  const bounces = { db, keys, logger, status: options.status, metrics: options.metrics };
  const recorder = createConfirmationRecorder({
    db,
    bus: options.bus ?? createInProcessBus(),
    logger,
  });
  const replies = { db, keys, logger, recorder };
  // What each accepted RCPT resolved to; smtp-server keeps the same object in the envelope.
  const recipients = new WeakMap<SMTPServerAddress, Recipient>();
  // One rate-limit check per transaction, however many recipients it has.
  const admissions = new WeakMap<SMTPServerEnvelope, Promise<void>>();

  /** Turns a handler's outcome into the SMTP reply; unexpected failures become 451. */
  function settle(
    stage: 'rcpt' | 'data',
    work: Promise<string | void>,
    callback: SmtpCallback,
  ): void {
    work.then(
      (message) => {
        options.metrics?.inbound(stage, 250);
        callback(null, message ?? undefined);
      },
      (error: unknown) => {
        if (error instanceof Error && 'responseCode' in error) {
          options.metrics?.inbound(stage, Number(error.responseCode));
          return callback(error);
        }
        options.metrics?.inbound(stage, 451);
        if (error instanceof ReplyNotSentError) {
          logger.warn({ relayCode: error.code }, 'reply not sent; client told to retry');
        } else {
          logger.error({ err: error }, 'inbound mail failed; client told to retry');
        }
        callback(smtpError(451, '4.3.0 Temporary local problem, please try again later'));
      },
    );
  }

  async function withinLimit(key: string, rule: RateLimitRule): Promise<boolean> {
    return (await hitRateLimit(db, key, rule.limit, rule.windowSeconds)).allowed;
  }

  async function checkLimits(session: SMTPServerSession): Promise<void> {
    const client = clientKeyOf(session.remoteAddress);
    if (!(await withinLimit(`inbound:client:${client}`, clientLimit))) {
      logger.warn({ client }, 'inbound client over its limit');
      throw smtpError(450, '4.7.1 Too many mails from your server, please try again later');
    }
    const sender = session.envelope.mailFrom ? session.envelope.mailFrom.address : '';
    if (!sender) return;
    const senderIndex = blindIndex(keys, sender);
    if (!(await withinLimit(`inbound:sender:${senderIndex}`, senderLimit))) {
      logger.warn({ senderRef: senderRef(senderIndex) }, 'inbound sender over its limit');
      throw smtpError(450, '4.7.1 Too many mails from this address, please try again later');
    }
  }

  function admit(session: SMTPServerSession): Promise<void> {
    let admission = admissions.get(session.envelope);
    if (!admission) {
      admission = checkLimits(session);
      admissions.set(session.envelope, admission);
    }
    return admission;
  }

  async function acceptRecipient(
    address: SMTPServerAddress,
    session: SMTPServerSession,
  ): Promise<void> {
    const recipient = await resolveRecipient(db, address.address, mailDomain);
    if (!recipient) throw smtpError(550, '5.1.1 No such recipient here, or the address expired');
    if (isAnswered(recipient)) await admit(session);
    recipients.set(address, recipient);
  }

  async function receive(stream: SMTPServerDataStream, session: SMTPServerSession) {
    const message = await readMessage(stream, maxMessageBytes).catch(() => {
      // The client hung up mid-message: nothing was read to act on, and nobody hears the reply.
      throw smtpError(451, '4.3.0 Connection lost before the end of the message');
    });
    if (!message) {
      throw smtpError(552, `5.3.4 Message too big; an empty mail is enough (${maxMessageBytes})`);
    }
    const resolved = session.envelope.rcptTo.map((address) => recipients.get(address));
    for (const recipient of resolved) {
      if (recipient?.kind === 'bounce') await takeBounce(bounces, recipient.tag, message);
    }
    const sender = session.envelope.mailFrom ? session.envelope.mailFrom.address : '';
    const replyTags = resolved.flatMap((recipient) =>
      recipient?.kind === 'reply' ? [recipient.tag] : [],
    );
    if (replyTags.length > 0) {
      if (isPersonalReply(sender, parseHeaderBlock(message))) {
        for (const tag of replyTags) await takeReply(replies, tag, message);
      } else {
        logger.info('automatic mail or report to a reply address not counted');
      }
    }
    const answerable = resolved.filter(isAnswered);
    if (answerable.length === 0) return 'OK: accepted';
    if (!sender) {
      logger.info('mail from the null sender accepted, not answered');
      return 'OK: accepted, not answered';
    }
    const fields = parseHeaderBlock(message);
    if (!fields) throw smtpError(550, '5.6.0 This is not a valid mail header');
    if (isMachineAddress(sender) || isAutomaticMail(fields)) {
      logger.info(
        { senderRef: senderRef(blindIndex(keys, sender)) },
        'automatic mail not answered',
      );
      return 'OK: accepted, not answered';
    }
    const answered = { sender, messageId: messageIdOf(fields) };
    // Recipients one by one; if a later one fails, the client's retry gives the earlier ones a
    // second link, which is harmless (a repeated empty mail does the same).
    for (const recipient of answerable) await answerRecipient(intake, recipient, answered);
    return 'OK: answered';
  }

  const server = new SMTPServer({
    name: mailDomain,
    banner: 'Renraku registration mail service',
    size: maxMessageBytes,
    authOptional: true,
    disabledCommands: ['AUTH', 'STARTTLS'],
    disableReverseLookup: true,
    maxClients: options.maxClients ?? INBOUND_DEFAULTS.maxClients,
    maxRecipients: MAX_RECIPIENTS,
    closeTimeout: CLOSE_GRACE_MS,
    // smtp-server's own log lines carry the envelope addresses.
    logger: false,
    onMailFrom(address, _session, callback) {
      // The null sender (bounces, notifications) is accepted, and its mail never answered.
      if (address.address !== '' && !isAnswerableAddress(address.address)) {
        options.metrics?.inbound('mail', 553);
        return callback(smtpError(553, '5.1.7 This sender address cannot be answered'));
      }
      callback();
    },
    onRcptTo(address, session, callback) {
      settle('rcpt', acceptRecipient(address, session), callback);
    },
    onData(stream, session, callback) {
      settle('data', receive(stream, session), callback);
    },
  });
  // Socket errors of single connections (resets, timeouts): the connection ends, the server stays.
  server.on('error', (error) => logger.debug({ err: error }, 'inbound SMTP connection error'));

  await new Promise<void>((resolve, reject) => {
    server.server.once('error', reject);
    server.listen(options.port, options.host, () => {
      server.server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.server.address() as AddressInfo;
  logger.info({ host: options.host, port }, 'inbound SMTP server listening');
  return {
    port,
    async close() {
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await recorder.close();
    },
  };
}
