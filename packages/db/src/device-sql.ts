import { sql } from 'drizzle-orm';

/**
 * Every device a registration is sent to, by the keyed index its deliveries carry in
 * `blind_index`: its addresses (mail) and its subscribed browsers (push). A delivery finds the
 * registrations, and so the households, it served through this, whatever its channel: a family
 * reached by push alone is reached. Columns: registration_id, blind_index, and health (an
 * address's; null for a device).
 */
export const registrationDevices = sql`(
  select registration_id, blind_index, health from addresses
  union all
  select registration_id, endpoint_index, null from push_subscriptions
)`;
