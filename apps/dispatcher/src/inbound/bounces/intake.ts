import type { DispatcherMetrics } from '../../metrics';
import { recordBounce, settleMessages, type BounceRecord, type Db } from '@renraku/db';
import type { Keys } from '@renraku/shared/crypto';
import type { Logger } from '@renraku/shared/logger';
import type { StatusBus } from '../../ports';
import { deliveryOfBounceTag } from '../../mail';
import { bounceSeverity } from '../../severity';
import { readBounce, type DeliveryReport, type ReadBounce } from './report';

// Bounce intake: a mail to bounce+<tag>@ whose tag we signed is read and applied to its
// delivery; the change is announced on the same channel as the dispatcher's own, so dashboards
// and call lists move live. A forged or unknown tag changes nothing and is still answered 250:
// refusing it would make the sender's server bounce the bounce.

/** What bounce intake needs, fixed when the inbound server starts. */
export interface BounceIntake {
  db: Db;
  keys: Keys;
  logger: Logger;
  /** Live status for dashboards; absent, they catch up from PostgreSQL. */
  status: Pick<StatusBus, 'messageChanged' | 'messageFinished'> | undefined;
  metrics?: Pick<DispatcherMetrics, 'bounce'> | undefined;
}

/** The stored form of what a mail at the return path said about its delivery. */
export function bounceRecordOf(deliveryId: number, read: ReadBounce): BounceRecord {
  if (read.kind !== 'report') {
    return {
      deliveryId,
      kind: read.kind,
      format: null,
      status: null,
      smtpCode: null,
      diagnostic:
        read.kind === 'unparsed' ? `${read.subject} | ${read.excerpt}`.slice(0, 500) : null,
      state: null,
      health: null,
    };
  }
  const report: DeliveryReport = read.report;
  const effect = {
    delivered: { state: 'delivered', health: 'delivered' },
    delayed: { state: 'delayed', health: null },
    failed: { state: 'bounced', health: bounceSeverity(report.status) },
  } as const satisfies Record<DeliveryReport['action'], Pick<BounceRecord, 'state' | 'health'>>;
  return {
    deliveryId,
    kind: report.action,
    format: report.format,
    status: report.status,
    smtpCode: report.smtpCode,
    diagnostic: report.diagnostic,
    ...effect[report.action],
  };
}

/** Reads and applies one mail to bounce+<tag>@; throws only when the database fails. */
export async function takeBounce(intake: BounceIntake, tag: string, raw: Buffer): Promise<void> {
  const { db, logger, status } = intake;
  const deliveryId = deliveryOfBounceTag(intake.keys, tag);
  if (deliveryId === null) {
    logger.info('bounce with a forged or unknown tag ignored');
    return;
  }
  let read = await readBounce(raw);
  // The envelope id is the delivery id; a report about another one was not caused by this mail.
  if (read.kind === 'report' && read.report.envelopeId !== null) {
    if (read.report.envelopeId !== String(deliveryId)) {
      read = { kind: 'unparsed', subject: 'envelope id mismatch', excerpt: '' };
    }
  }
  const record = bounceRecordOf(deliveryId, read);
  intake.metrics?.bounce(record.kind);
  const result = await recordBounce(db, record);
  logger.info(
    { deliveryId, kind: record.kind, status: record.status, changed: !!result?.transition },
    result ? 'bounce recorded' : 'bounce for a delivery that no longer exists',
  );
  const transition = result?.transition;
  if (!transition) return;
  status?.messageChanged({ messageId: transition.messageId });
  // A report may overtake the dispatcher's write of the last pending delivery of a message.
  for (const messageId of await settleMessages(db, [transition.messageId])) {
    status?.messageFinished({ messageId, state: 'done' });
  }
}
