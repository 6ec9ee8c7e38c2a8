import { index, integer, pgTable, text, unique } from 'drizzle-orm/pg-core';
import { bytea, createdAt, updatedAt } from './columns';
import { registrationOwner } from './registrations';

/**
 * A parent's device that receives Web Push, up to five per registration. Endpoint and keys exist
 * only as ciphertext, like addresses; the keyed index finds the same device subscribing again,
 * the push service's origin (in clear, like a carrier domain) bounds sending per service.
 * The dispatcher reaches a household's devices through its registrations (registration_id).
 */
export const pushSubscriptions = pgTable(
  'push_subscriptions',
  {
    id: integer('id').primaryKey().generatedAlwaysAsIdentity(),
    ...registrationOwner(),
    endpointCiphertext: bytea('endpoint_ciphertext').notNull(),
    p256dhCiphertext: bytea('p256dh_ciphertext').notNull(),
    authCiphertext: bytea('auth_ciphertext').notNull(),
    endpointIndex: text('endpoint_index').notNull(),
    pushService: text('push_service').notNull(),
    /** "Android · Chrome", from the User-Agent when it subscribed: for the parent's list only. */
    deviceLabel: text('device_label').notNull().default(''),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [
    unique('push_subscriptions_registration_endpoint_unique').on(t.registrationId, t.endpointIndex),
    index('push_subscriptions_endpoint_index_idx').on(t.endpointIndex),
  ],
);
