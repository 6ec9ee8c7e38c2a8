import { index, integer, pgTable, text, timestamp } from 'drizzle-orm/pg-core';
import { bytea, createdAt } from './columns';
import { tokenPurpose } from './enums';
import { registrations } from './registrations';
import { schools } from './schools';

/**
 * Single-use links mailed to a parent (new registration, added address, password reset);
 * they carry the proven address in ciphertext until the parent completes the step.
 */
export const registrationTokens = pgTable(
  'registration_tokens',
  {
    id: integer('id').primaryKey().generatedAlwaysAsIdentity(),
    tokenHash: text('token_hash').notNull().unique(),
    purpose: tokenPurpose('purpose').notNull(),
    schoolId: integer('school_id').references(() => schools.id, { onDelete: 'cascade' }),
    registrationId: integer('registration_id').references(() => registrations.id, {
      onDelete: 'cascade',
    }),
    addressCiphertext: bytea('address_ciphertext'),
    blindIndex: text('blind_index'),
    carrierDomain: text('carrier_domain'),
    expiresAt: timestamp('expires_at', { withTimezone: true }).notNull(),
    usedAt: timestamp('used_at', { withTimezone: true }),
    createdAt: createdAt(),
  },
  (t) => [index('registration_tokens_expires_idx').on(t.expiresAt)],
);
