import { index, integer, pgTable, smallint, text, timestamp, unique } from 'drizzle-orm/pg-core';
import { bytea, createdAt } from './columns';
import { addressHealth, addressRole } from './enums';
import { registrationOwner } from './registrations';

/**
 * Up to three per registration, in order. The address itself exists only as ciphertext;
 * the blind index finds and de-duplicates it, the carrier domain throttles sending.
 */
export const addresses = pgTable(
  'addresses',
  {
    id: integer('id').primaryKey().generatedAlwaysAsIdentity(),
    ...registrationOwner(),
    position: smallint('position').notNull(),
    role: addressRole('role').notNull().default('guardian'),
    ciphertext: bytea('ciphertext').notNull(),
    blindIndex: text('blind_index').notNull(),
    carrierDomain: text('carrier_domain').notNull(),
    health: addressHealth('health').notNull().default('active'),
    softBounces: smallint('soft_bounces').notNull().default(0),
    lastBounceAt: timestamp('last_bounce_at', { withTimezone: true }),
    lastDeliveredAt: timestamp('last_delivered_at', { withTimezone: true }),
    createdAt: createdAt(),
  },
  (t) => [
    unique('addresses_registration_blind_index_unique').on(t.registrationId, t.blindIndex),
    unique('addresses_registration_position_unique').on(t.registrationId, t.position),
    index('addresses_blind_index_idx').on(t.blindIndex),
    // Covers what the call list reads of a registration's addresses: an index-only scan.
    index('addresses_registration_devices_idx').on(t.registrationId, t.blindIndex, t.health),
  ],
);
