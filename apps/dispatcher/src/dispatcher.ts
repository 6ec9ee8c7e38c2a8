import { setTimeout as delay } from 'node:timers/promises';
import PQueue from 'p-queue';
import type { ClaimedDelivery, DeliveryOutcome, SendFailure, StoredTransition } from '@renraku/db';
import { variantFor } from '@renraku/shared';
import { confirmUrl } from '@renraku/shared/confirm-token';
import { decryptAddress, unsealPushSubscription, type Keys } from '@renraku/shared/crypto';
import type { Logger } from '@renraku/shared/logger';
import {
  bounceAddress,
  compileMail,
  messageIdOf,
  type MailSettings,
  type MailTemplate,
} from './mail';
import type { DeliveryStore, Mailer, SmtpReply, StatusBus } from './ports';
import { judgePushReply, PUSH_OPTIONS, pushPayload, type PushReply, type PushSender } from './push';
import { scrubReply } from '@renraku/shared/scrub';
import { sendFailureSeverity } from './severity';
import { judgeReply, type RetrySettings } from './judge';
import { carrierLabel, type DispatcherMetrics } from './metrics';

// The sending manager (after listmonk's): it claims leased batches from the store, sends each
// mail under an overall and a per-carrier concurrency bound and each push under its push
// service's bound, buffers the outcomes and writes them in batches, and announces each written
// batch; the relay's refusals weigh on their addresses' health as bounces do, and a push
// service's "gone" removes the device. PostgreSQL holds all progress, so any dispatcher can stop or
// die at any moment and another carries on from the database.

/** One carrier's share of the sending: its domains and how many mails may be in flight. */
export interface CarrierLimit {
  domains: string[];
  concurrency: number;
  /**
   * Mails per SMTP connection before the relay connection is replaced; the carrier counts
   * them per session from our relay onwards (docomo takes at most 100). Absent: no limit.
   */
  maxMessages?: number;
}

/** How the dispatcher sends; every number has a default fit for one city. */
export interface DispatchSettings extends RetrySettings {
  /** SMTP connections, and mails in flight at once, over all carriers. */
  concurrency: number;
  /** Deliveries per claim and per status write. */
  batchSize: number;
  /** How long a claim holds; a dead worker's claims return after it. */
  leaseMs: number;
  /** Idle poll for new work and due scheduled messages. */
  pollMs: number;
  /** Longest a finished send waits before its status is written. */
  flushMs: number;
  carrierLimits: CarrierLimit[];
}

/** Everything the manager works with, injected so that tests can run it on other adapters. */
export interface DispatcherDeps {
  store: DeliveryStore;
  mailer: Mailer;
  status: StatusBus;
  /** Web Push; null when VAPID is not configured (a push delivery then fails unsent). */
  push: PushSender | null;
  /** Prometheus instruments; none in tests that do not look at them. */
  metrics?: DispatcherMetrics;
  keys: Keys;
  logger: Logger;
  settings: DispatchSettings;
  mail: MailSettings;
}

/** An outcome as the manager keeps it until written: which channel, and whether a device is gone. */
type SentOutcome = DeliveryOutcome & {
  channel: ClaimedDelivery['channel'];
  carrierDomain: string;
  priority: number;
  gone?: true;
};

/** Anything that could break out of the To header or the SMTP command is not sent. */
const SENDABLE_ADDRESS = /^[^\s<>()[\]\\,;:"@]+@[^\s<>()[\]\\,;:"@]+$/;

/** Waits `ms`, or less when the signal fires. */
function pause(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(finish, ms);
    signal.addEventListener('abort', finish, { once: true });
    function finish() {
      clearTimeout(timer);
      signal.removeEventListener('abort', finish);
      resolve();
    }
  });
}

/** One bus event per message, however many of its deliveries the batch changed. */
function announceChanged(status: StatusBus, messageIds: Iterable<number>): void {
  for (const messageId of new Set(messageIds)) status.messageChanged({ messageId });
}

/** The most message templates one process keeps; each is one message's headers and body. */
const TEMPLATE_CACHE = 64;

/** One worker's sending loop; start() once, stop() at shutdown. */
export class Dispatcher {
  /**
   * The SMTP connections, overall and per carrier: queues that start the most urgent claim first
   * (SENDING_PRIORITY), so an emergency claimed behind a newsletter's batches still goes next.
   */
  private readonly overall: PQueue;
  private readonly carrierLimit = new Map<string, PQueue>();
  /** Claimed and not yet written back, by SENDING_PRIORITY. */
  private readonly heldByPriority = new Map<number, number>();
  private readonly templates = new Map<number, Promise<MailTemplate | null>>();
  /** Claimed and not yet written back: the bound on what a crash can send twice. */
  private inFlight = 0;
  private readonly maxInFlight: number;
  /** Carrier domains named in the metrics; the rest are `other`. */
  private readonly knownCarriers: ReadonlySet<string>;
  private buffer: SentOutcome[] = [];
  private writing: Promise<void> = Promise.resolve();
  private writeQueued = false;
  private readonly stopping = new AbortController();
  private wake: () => void = () => {};
  private roomFreed: () => void = () => {};
  private loops: Promise<void>[] = [];
  private timers: NodeJS.Timeout[] = [];

  constructor(private readonly deps: DispatcherDeps) {
    const { settings } = deps;
    this.overall = new PQueue({ concurrency: settings.concurrency });
    for (const carrier of settings.carrierLimits) {
      const limit = new PQueue({ concurrency: carrier.concurrency });
      for (const domain of carrier.domains) this.carrierLimit.set(domain, limit);
    }
    this.knownCarriers = new Set([
      ...settings.carrierLimits.flatMap((carrier) => carrier.domains),
      ...(deps.mail.featurePhoneDomains ?? []),
    ]);
    // Two batches: one being sent while the next is claimed and waiting.
    this.maxInFlight = settings.batchSize * 2;
  }

  start(): void {
    const { settings } = this.deps;
    this.loops = [this.claimLoop(), this.scheduleLoop()];
    this.timers = [
      setInterval(() => this.requestWrite(), settings.flushMs),
      setInterval(() => void this.renewLeases(), Math.max(1, Math.floor(settings.leaseMs / 3))),
    ];
  }

  /** New work may be waiting (a message was queued): claim now instead of at the next poll. */
  poke(): void {
    this.wake();
  }

  /**
   * Stops claiming, gives back the claims not yet started, lets the sends in flight finish
   * and writes every status. If the database is away that long, it gives up after one lease:
   * the leases then return the unwritten claims to the other workers.
   */
  async stop(): Promise<void> {
    const { settings, mailer, push } = this.deps;
    this.stopping.abort();
    this.wake();
    this.roomFreed();
    await Promise.all(this.loops);
    const deadline = Date.now() + settings.leaseMs;
    while (this.inFlight > 0 && Date.now() < deadline) {
      // A real wait: the sends still in flight need the event loop to finish.
      await delay(Math.min(settings.flushMs, 50));
      this.requestWrite();
      await this.writing;
    }
    for (const timer of this.timers) clearInterval(timer);
    await Promise.all([mailer.close(), push?.close()]);
  }

  private get stopped(): boolean {
    return this.stopping.signal.aborted;
  }

  private async claimLoop(): Promise<void> {
    const { store, settings, logger } = this.deps;
    while (!this.stopped) {
      if (this.maxInFlight - this.inFlight < settings.batchSize) {
        // Room for less than a batch: still room for what outranks the work held here.
        await this.roomOrWake();
        await this.claimUrgent();
        continue;
      }
      let claimed: ClaimedDelivery[] = [];
      try {
        const started = performance.now();
        claimed = await store.claim(settings.batchSize);
        this.deps.metrics?.claimSeconds((performance.now() - started) / 1000);
      } catch (error) {
        logger.error({ err: error }, 'claiming deliveries failed; retrying');
      }
      if (claimed.length === 0) {
        await new Promise<void>((resolve) => {
          this.wake = resolve;
          void pause(settings.pollMs, this.stopping.signal).then(resolve);
        });
        continue;
      }
      this.announceClaims(claimed);
      for (const delivery of claimed) this.dispatch(delivery);
    }
  }

  /** Scheduled and recurring messages falling due, and messages a dead worker left open. */
  private async scheduleLoop(): Promise<void> {
    const { store, status, settings, logger } = this.deps;
    while (!this.stopped) {
      try {
        const queued = await store.fanOutDue();
        for (const messageId of queued) {
          logger.info({ messageId }, 'scheduled message queued');
          status.messageQueued(messageId);
        }
        if (queued.length > 0) this.wake();
        this.announceFinished(await store.settle());
      } catch (error) {
        logger.error({ err: error }, 'scheduling pass failed; retrying');
      }
      await pause(settings.pollMs, this.stopping.signal);
    }
  }

  private announceClaims(claimed: ClaimedDelivery[]): void {
    const changed = claimed
      // A lease taken over from a dead worker was already counted as sending.
      .filter((delivery) => delivery.previousState !== 'sending')
      .map((delivery) => delivery.messageId);
    announceChanged(this.deps.status, changed);
  }

  /** Resolves when a write made room, when more work may wait, or at the poll interval. */
  private roomOrWake(): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(resolve, this.deps.settings.pollMs);
      const done = () => {
        clearTimeout(timer);
        resolve();
      };
      this.roomFreed = done;
      this.wake = done;
    });
  }

  /**
   * While full: claims only what is more urgent than the least urgent work held here, so that an
   * emergency posted into a sending newsletter need not wait for the newsletter's claimed batches
   * to be written, and keeps coming ahead of them batch by batch; the queues send it first. With
   * nothing more urgent due it is one empty index probe.
   */
  private async claimUrgent(): Promise<void> {
    const { store, settings, logger } = this.deps;
    const held = [...this.heldByPriority].filter(([, count]) => count > 0);
    const least = Math.max(...held.map(([priority]) => priority));
    if (!(least > 0)) return;
    // The urgent work has a bound of its own, as if the less urgent were not here: at most
    // twice the usual claims are held (what a crash could send twice), and only meanwhile.
    const urgent = held.filter(([priority]) => priority < least).reduce((n, [, c]) => n + c, 0);
    if (urgent + settings.batchSize > this.maxInFlight) return;
    let claimed: ClaimedDelivery[] = [];
    try {
      claimed = await store.claim(settings.batchSize, least - 1);
    } catch (error) {
      logger.error({ err: error }, 'claiming urgent deliveries failed; retrying');
    }
    this.announceClaims(claimed);
    for (const delivery of claimed) this.dispatch(delivery);
  }

  private hold(priority: number, change: 1 | -1): void {
    this.heldByPriority.set(priority, (this.heldByPriority.get(priority) ?? 0) + change);
  }

  private dispatch(delivery: ClaimedDelivery): void {
    this.inFlight++;
    this.hold(delivery.priority, 1);
    void this.sendOne(delivery).then((outcome) => {
      this.buffer.push({
        ...outcome,
        channel: delivery.channel,
        carrierDomain: delivery.carrierDomain,
        priority: delivery.priority,
      });
      if (this.buffer.length >= this.deps.settings.batchSize) this.requestWrite();
    });
  }

  /**
   * A mail waits for an SMTP connection (overall and per carrier); a push takes none, and the
   * push sender bounds it per push service.
   */
  private sendOne(
    delivery: ClaimedDelivery,
  ): Promise<Omit<SentOutcome, 'channel' | 'carrierDomain' | 'priority'>> {
    if (delivery.channel === 'push') return this.deliverPush(delivery);
    // p-queue starts the highest number first; SENDING_PRIORITY's most urgent is the lowest.
    const options = { priority: -delivery.priority, throwOnTimeout: true } as const;
    const send = () => this.overall.add(() => this.deliver(delivery), options);
    const carrier = this.carrierLimit.get(delivery.carrierDomain);
    return carrier ? carrier.add(send, options) : send();
  }

  /** The outcome of a delivery not sent: given back at a stop, or impossible to send. */
  private unsent(
    delivery: ClaimedDelivery,
    state: DeliveryOutcome['state'],
    text: string | null,
  ): DeliveryOutcome {
    return { id: delivery.id, state, attempted: false, code: null, text, retryInMs: null };
  }

  /** A claim not yet started when stopping goes back for another worker to take at once. */
  private givenBack(delivery: ClaimedDelivery): DeliveryOutcome {
    return this.unsent(
      delivery,
      delivery.previousState === 'deferred' ? 'deferred' : 'queued',
      null,
    );
  }

  /** Sends one mail; never throws: every path ends in an outcome. */
  private async deliver(delivery: ClaimedDelivery): Promise<DeliveryOutcome> {
    const { keys, mailer, logger, settings, mail } = this.deps;
    const unsent = (state: DeliveryOutcome['state'], text: string | null) =>
      this.unsent(delivery, state, text);
    if (this.stopped) return this.givenBack(delivery);
    if (!delivery.ciphertext) return unsent('failed', 'address removed before sending');
    let to: string;
    try {
      to = decryptAddress(keys, delivery.ciphertext);
    } catch {
      logger.error(
        { deliveryId: delivery.id, messageId: delivery.messageId },
        'address cannot be decrypted (SECRET_KEY changed?)',
      );
      return unsent('failed', 'address cannot be decrypted');
    }
    if (!SENDABLE_ADDRESS.test(to)) return unsent('failed', 'address cannot be sent to');
    let reply: SmtpReply;
    try {
      const template = await this.template(delivery.messageId);
      if (!template) return unsent('failed', 'message no longer exists');
      reply = await mailer.send({
        envelopeFrom: bounceAddress(keys, mail.mailDomain, delivery.id),
        to,
        raw: template.render(delivery.id, to, delivery.childNames, delivery.language),
        messageId: messageIdOf(mail.mailDomain, delivery.messageId, delivery.id),
        deliveryId: delivery.id,
      });
    } catch (error) {
      // Not the relay's answer (the database or our own code): retried like a lost connection.
      logger.error(
        { err: error, deliveryId: delivery.id, messageId: delivery.messageId },
        'sending failed before the relay answered',
      );
      reply = { code: null, text: 'not sent: internal error' };
    }
    this.deps.metrics?.replied('mail', reply.code);
    const judged = judgeReply(reply, delivery.attempts, settings);
    if (judged.state !== 'accepted') {
      // A final failure is what a log search for the message must find; a deferral is routine.
      const level = judged.state === 'failed' ? 'info' : 'debug';
      logger[level](
        {
          deliveryId: delivery.id,
          messageId: delivery.messageId,
          code: reply.code,
          state: judged.state,
        },
        'not accepted',
      );
    }
    return {
      id: delivery.id,
      attempted: true,
      code: reply.code,
      text: scrubReply(reply.text),
      ...judged,
    };
  }

  /**
   * Pushes one notification: the message's title and first line, opening the delivery's own
   * confirmation page when the message asks for one, else the inbox. Never throws.
   */
  private async deliverPush(
    delivery: ClaimedDelivery,
  ): Promise<Omit<SentOutcome, 'channel' | 'carrierDomain' | 'priority'>> {
    const { keys, push, logger, settings, mail } = this.deps;
    const unsent = (state: DeliveryOutcome['state'], text: string | null) =>
      this.unsent(delivery, state, text);
    if (this.stopped) return this.givenBack(delivery);
    if (!push) return unsent('failed', 'push is not configured (VAPID_)');
    if (!delivery.push) return unsent('failed', 'device removed before sending');
    let subscription: ReturnType<typeof unsealPushSubscription>;
    try {
      subscription = unsealPushSubscription(keys, delivery.push);
    } catch {
      logger.error(
        { deliveryId: delivery.id, messageId: delivery.messageId },
        'device cannot be decrypted (SECRET_KEY changed?)',
      );
      return unsent('failed', 'device cannot be decrypted');
    }
    let reply: PushReply;
    let ttlSeconds = 0;
    try {
      const template = await this.template(delivery.messageId);
      if (!template) return unsent('failed', 'message no longer exists');
      const { message } = template;
      const url = message.confirm
        ? confirmUrl(mail.publicUrl, keys, delivery.id)
        : `${mail.publicUrl}/account/inbox`;
      const options = PUSH_OPTIONS[message.category];
      ttlSeconds = options.ttlSeconds;
      // The notification in the parent's language; the page it opens has the Japanese below.
      const variant = variantFor(message.variants, delivery.language)?.text;
      reply = await push.send(subscription, pushPayload({ ...message, ...variant }, url), options);
    } catch (error) {
      // The message could not be read (the sender itself never throws): retried like no answer.
      logger.error(
        { err: error, deliveryId: delivery.id, messageId: delivery.messageId },
        'pushing failed before sending',
      );
      reply = { status: null, text: 'not sent: internal error' };
    }
    this.deps.metrics?.replied('push', reply.status);
    const judged = judgePushReply(
      reply,
      { attemptsBefore: delivery.attempts, ttlSeconds },
      settings,
    );
    const sent = {
      id: delivery.id,
      attempted: true,
      code: reply.status,
      text: scrubReply(reply.text),
    };
    switch (judged.kind) {
      case 'accepted':
        return { ...sent, state: 'accepted', retryInMs: null };
      case 'retry':
        return { ...sent, state: 'deferred', retryInMs: judged.retryInMs };
      case 'gone':
        return { ...sent, state: 'failed', retryInMs: null, gone: true };
      case 'failed':
        return { ...sent, state: 'failed', retryInMs: null };
    }
  }

  private template(messageId: number): Promise<MailTemplate | null> {
    let template = this.templates.get(messageId);
    if (!template) {
      // Once per message and worker: where a log search sees which dispatchers sent it.
      this.deps.logger.info({ messageId }, 'sending message');
      template = this.deps.store
        .messageForMail(messageId)
        .then((message) => message && compileMail(message, this.deps.mail, this.deps.keys));
      // A failed load is not kept: the next delivery tries again.
      template.catch(() => this.templates.delete(messageId));
      if (this.templates.size >= TEMPLATE_CACHE) {
        const oldest = this.templates.keys().next();
        if (!oldest.done) this.templates.delete(oldest.value);
      }
      this.templates.set(messageId, template);
    }
    return template;
  }

  /** Queues a write of the buffer behind the one in progress (writes never overlap). */
  private requestWrite(): void {
    if (this.writeQueued || this.buffer.length === 0) return;
    this.writeQueued = true;
    this.writing = this.writing.then(async () => {
      this.writeQueued = false;
      await this.writeBuffer();
    });
  }

  private async writeBuffer(): Promise<void> {
    const { store, status, logger } = this.deps;
    const taken = this.buffer.splice(0, this.buffer.length);
    if (taken.length === 0) return;
    let stored: StoredTransition[];
    try {
      const started = performance.now();
      stored = await store.record(taken);
      this.deps.metrics?.flushSeconds((performance.now() - started) / 1000);
    } catch (error) {
      // Kept for the next write; if this process dies first, the leases bring them back.
      logger.error({ err: error, count: taken.length }, 'writing delivery statuses failed');
      this.buffer.unshift(...taken);
      return;
    }
    this.inFlight -= taken.length;
    for (const outcome of taken) this.hold(outcome.priority, -1);
    this.roomFreed();
    this.countWritten(taken, stored);
    announceChanged(
      status,
      stored.map((row) => row.messageId),
    );
    // Before settling: once a message is done, its refused addresses have lost their health.
    await this.recordAddressFailures(taken, stored);
    await this.removeGoneDevices(taken, stored);
    const ending = new Set(
      stored.filter((row) => row.state !== 'deferred').map((row) => row.messageId),
    );
    if (ending.size === 0) return;
    try {
      this.announceFinished(await store.settle([...ending]));
    } catch (error) {
      // The schedule loop's sweep settles it later.
      logger.error({ err: error }, 'settling messages failed');
    }
  }

  /**
   * The addresses of the deliveries just stored as failed lose health by the relay's reply.
   * The statuses are already written: a failure here is logged and not retried.
   */
  private async recordAddressFailures(
    taken: SentOutcome[],
    stored: StoredTransition[],
  ): Promise<void> {
    const failed = stored.filter((row) => row.state === 'failed');
    if (failed.length === 0) return;
    const outcomes = new Map(taken.map((outcome) => [outcome.id, outcome]));
    const failures = failed.flatMap((row): SendFailure[] => {
      const outcome = outcomes.get(row.id);
      // A push service's status is no SMTP reply: a device's end is removeGoneDevices's.
      const effect = outcome?.channel === 'mail' ? sendFailureSeverity(outcome) : null;
      return effect ? [{ deliveryId: row.id, effect }] : [];
    });
    if (failures.length === 0) return;
    try {
      await this.deps.store.recordAddressFailures(failures);
    } catch (error) {
      this.deps.logger.error(
        { err: error, count: failures.length },
        'applying refusals to address health failed',
      );
    }
  }

  private countWritten(taken: SentOutcome[], stored: StoredTransition[]): void {
    const { metrics } = this.deps;
    if (!metrics) return;
    const outcomes = new Map(taken.map((outcome) => [outcome.id, outcome]));
    for (const row of stored) {
      const outcome = outcomes.get(row.id);
      if (!outcome) continue;
      const carrier =
        outcome.channel === 'push'
          ? 'push'
          : carrierLabel(this.knownCarriers, outcome.carrierDomain);
      metrics.delivered(outcome.channel, row.state, carrier);
    }
  }

  /**
   * The devices whose push service answered 404 or 410 are removed, as a dead address stops
   * being mailed; a failure here is logged, and the next push to the device finds it gone again.
   */
  private async removeGoneDevices(taken: SentOutcome[], stored: StoredTransition[]): Promise<void> {
    const gone = new Set(taken.filter((outcome) => outcome.gone).map((outcome) => outcome.id));
    const deliveryIds = stored.filter((row) => gone.has(row.id)).map((row) => row.id);
    if (deliveryIds.length === 0) return;
    try {
      await this.deps.store.removePushDevices(deliveryIds);
    } catch (error) {
      this.deps.logger.error(
        { err: error, count: deliveryIds.length },
        'removing gone devices failed',
      );
    }
  }

  private announceFinished(messageIds: number[]): void {
    for (const messageId of messageIds) {
      this.templates.delete(messageId);
      this.deps.status.messageFinished({ messageId, state: 'done' });
      this.deps.logger.info({ messageId }, 'message done');
    }
  }

  private async renewLeases(): Promise<void> {
    if (this.inFlight === 0) return;
    try {
      await this.deps.store.renewLeases();
    } catch (error) {
      this.deps.logger.error({ err: error }, 'renewing leases failed');
    }
  }
}
