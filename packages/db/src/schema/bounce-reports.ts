import { bigint, index, pgTable, smallint, text } from 'drizzle-orm/pg-core';
import { createdAt } from './columns';
import { deliveries } from './deliveries';

/**
 * Every verified mail that reached a delivery's return path, read or not: the evidence behind
 * a delivery's late state and an address's health, and the unparsed ones for the operator to
 * look at. Forged or unknown tags are not stored (anyone could fill the table with them).
 * No address: the diagnostic and the excerpt have them removed.
 */
export const bounceReports = pgTable(
  'bounce_reports',
  {
    id: bigint('id', { mode: 'number' }).primaryKey().generatedAlwaysAsIdentity(),
    deliveryId: bigint('delivery_id', { mode: 'number' })
      .notNull()
      .references(() => deliveries.id, { onDelete: 'cascade' }),
    /** delivered / delayed / failed, or auto_reply / unparsed. */
    kind: text('kind').notNull(),
    /** Which reader understood it (rfc3464, postfix, exim, qmail, carrier). */
    format: text('format'),
    status: text('status'),
    smtpCode: smallint('smtp_code'),
    /** The remote server's words, or the subject and start of an unparsed mail. */
    diagnostic: text('diagnostic'),
    createdAt: createdAt(),
  },
  (t) => [index('bounce_reports_delivery_idx').on(t.deliveryId)],
);
