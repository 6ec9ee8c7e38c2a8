import { expect } from 'vitest';
import { eq } from 'drizzle-orm';
import type { ConfirmationRecorder } from '@renraku/core/confirmation';
import { schema, type Db } from '@renraku/db';
import { confirmRequestOf } from '@renraku/shared';
import { blindIndex } from '@renraku/shared/crypto';
import { deliveriesOf, keys, sendMessage } from '../dispatch/fixtures';

// What the confirmation suites share: a send whose mails all reached the relay, and each
// address's delivery (the one its link or reply address names).

/** Marks every delivery of the message accepted; returns the delivery of each address. */
export async function acceptedDeliveries(
  db: Db,
  messageId: number,
): Promise<(address: string) => number> {
  const deliveries = new Map(
    (await deliveriesOf(db, messageId)).map((d) => [d.blindIndex, d.id] as const),
  );
  await db
    .update(schema.deliveries)
    .set({ state: 'accepted' })
    .where(eq(schema.deliveries.messageId, messageId));
  return (address) => deliveries.get(blindIndex(keys, address))!;
}

/** The board's district-wide 緊急連絡 with the 安否確認 choices, every mail accepted. */
export async function sendSafetyCheck(db: Db, districtId: number, authorId: number) {
  const { id: messageId } = await sendMessage(db, {
    districtId,
    authorId,
    target: { kind: 'district' },
    confirm: confirmRequestOf('emergency_contact', { preset: 'safety' }),
  });
  return { messageId, deliveryOf: await acceptedDeliveries(db, messageId) };
}

/** A family's tap on its link's button, as the web's POST records it. */
export async function tapLink(
  recorder: ConfirmationRecorder,
  deliveryId: number,
  choice: number,
): Promise<void> {
  const outcome = await recorder.record({ deliveryId, choice, channel: 'link', replyWords: null });
  expect(outcome.kind).toBe('recorded');
}
