import {
  deletePushSubscription,
  listRegistrationPushDevices,
  lockRegistration,
  recordAuditEvent,
  setRegistrationEducationMail,
  upsertPushSubscription,
} from '@renraku/db';
import { MAX_PUSH_DEVICES_PER_REGISTRATION, ServiceError } from '@renraku/shared';
import { pushEndpointIndexCandidates, sealPushSubscription } from '@renraku/shared/crypto';
import { pushSubscriptionSchema } from '@renraku/shared/push';
import type { CoreContext } from '../context';
import { deviceLabel } from './device-label';

// A parent's Web Push devices (issue 15) and their channel setting. The subscription a browser
// hands over is checked whole (endpoint the server may POST to, keys of the right lengths) and
// stored sealed; the parent sees only a label and the date added.

export { deviceLabel } from './device-label';

export interface PushContext extends CoreContext {
  env: {
    push: {
      /** Test only: endpoints on http and local addresses (a test's mock push service). */
      allowPrivateEndpoints: boolean;
    };
  };
}

/** A device as its own parent sees it. */
export interface PushDevice {
  id: number;
  label: string;
  createdAt: Date;
}

export async function loadPushDevices(
  ctx: CoreContext,
  registrationId: number,
): Promise<PushDevice[]> {
  const rows = await listRegistrationPushDevices(ctx.db, registrationId);
  return rows.map((row) => ({ id: row.id, label: row.deviceLabel, createdAt: row.createdAt }));
}

export type SubscribeOutcome = 'added' | 'renewed';

const invalidSubscription = (issues: { path: string; message: string }[]) =>
  new ServiceError(
    'invalid',
    'push.subscribe.invalid',
    {},
    { code: 'invalid_subscription', issues },
  );

/**
 * Stores the browser's subscription for this registration. The same endpoint again is the same
 * device (renewed, not a second row); a sixth device is refused, nothing stored.
 * @throws ServiceError (invalid: a malformed subscription or too many devices; not_found: the
 *   registration is gone)
 */
export async function subscribePush(
  ctx: PushContext,
  registrationId: number,
  body: unknown,
  userAgent: string,
): Promise<{ id: number; outcome: SubscribeOutcome }> {
  const parsed = pushSubscriptionSchema({
    allowPrivate: ctx.env.push.allowPrivateEndpoints,
  }).safeParse(body);
  if (!parsed.success) {
    throw invalidSubscription(
      parsed.error.issues.map((issue) => ({ path: issue.path.join('.'), message: issue.message })),
    );
  }
  const subscription = parsed.data;
  // Both keys' forms during a rotation, so a device subscribing again is still known.
  const endpointIndexes = pushEndpointIndexCandidates(ctx.keys, subscription.endpoint);
  return ctx.db.transaction(async (tx) => {
    // Locked so that two devices subscribing at once cannot both take the fifth place.
    const districtId = await lockRegistration(tx, registrationId);
    if (districtId === undefined) throw new ServiceError('not_found', 'push.remove.not_found');
    const devices = await listRegistrationPushDevices(tx, registrationId);
    const known = devices.some((device) => endpointIndexes.includes(device.endpointIndex));
    if (!known && devices.length >= MAX_PUSH_DEVICES_PER_REGISTRATION) {
      throw new ServiceError(
        'invalid',
        'push.subscribe.full',
        { max: MAX_PUSH_DEVICES_PER_REGISTRATION },
        { code: 'too_many_devices' },
      );
    }
    const stored = await upsertPushSubscription(tx, {
      districtId,
      registrationId,
      ...sealPushSubscription(ctx.keys, subscription),
      deviceLabel: deviceLabel(userAgent.slice(0, 512)),
    });
    if (stored.inserted) {
      await recordAuditEvent(tx, {
        districtId,
        actorType: 'parent',
        actorId: registrationId,
        action: 'parent.push_subscribe',
        subjectType: 'registration',
        subjectId: String(registrationId),
      });
    }
    return { id: stored.id, outcome: stored.inserted ? 'added' : 'renewed' };
  });
}

/**
 * Removes one of the registration's own devices.
 * @throws ServiceError (not_found: not this registration's device, or gone already)
 */
export async function removePushDevice(
  ctx: CoreContext,
  registrationId: number,
  subscriptionId: number,
): Promise<void> {
  await ctx.db.transaction(async (tx) => {
    const districtId = await lockRegistration(tx, registrationId);
    if (
      districtId === undefined ||
      !(await deletePushSubscription(tx, registrationId, subscriptionId))
    ) {
      throw new ServiceError('not_found', 'push.remove.not_found');
    }
    await recordAuditEvent(tx, {
      districtId,
      actorType: 'parent',
      actorId: registrationId,
      action: 'parent.push_remove',
      subjectType: 'registration',
      subjectId: String(registrationId),
    });
  });
}

/** 教育情報 by mail on or off; emergencies go by every channel whatever this says. */
export async function setEducationMail(
  ctx: CoreContext,
  registrationId: number,
  educationMail: boolean,
): Promise<void> {
  await ctx.db.transaction(async (tx) => {
    const districtId = await lockRegistration(tx, registrationId);
    if (districtId === undefined) throw new ServiceError('not_found', 'push.remove.not_found');
    await setRegistrationEducationMail(tx, registrationId, educationMail);
    await recordAuditEvent(tx, {
      districtId,
      actorType: 'parent',
      actorId: registrationId,
      action: 'parent.channels_change',
      subjectType: 'registration',
      subjectId: String(registrationId),
      detail: { educationMail },
    });
  });
}
