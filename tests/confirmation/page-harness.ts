import { sql } from 'drizzle-orm';
import { rowsOf, type Db } from '@renraku/db';
import { confirmToken } from '@renraku/shared/confirm-token';
import { blindIndex } from '@renraku/shared/crypto';
import { deliveriesOf, keys } from '../dispatch/fixtures';

// What the confirmation page's tests share: the personal link token of each address a message
// was sent to, and the stored answers.

/** The token of the delivery of `messageId` to an address (signed with the fixtures' keys). */
export async function tokensOf(db: Db, messageId: number): Promise<(address: string) => string> {
  const deliveries = new Map(
    (await deliveriesOf(db, messageId)).map((d) => [d.blindIndex, d.id] as const),
  );
  return (address) => confirmToken(keys, deliveries.get(blindIndex(keys, address))!);
}

export interface StoredConfirmation {
  householdId: number;
  choice: number;
  channel: string;
  late: boolean;
}

/** Every stored answer, by household. */
export async function storedConfirmations(db: Db): Promise<StoredConfirmation[]> {
  return rowsOf<StoredConfirmation>(
    await db.execute(sql`select household_id as "householdId", choice, channel, late
      from confirmations order by household_id`),
  );
}
