import {
  findAddressCiphertextUnder,
  isTransactionConflict,
  keyUsage,
  listDistricts,
  lockStaleAddresses,
  lockStaleDeliveries,
  lockStalePushSubscriptions,
  lockStaleTokenAddresses,
  recordAuditEvent,
  rekeyAddresses,
  rekeyDeliveries,
  rekeyPushSubscriptions,
  rekeyTokenAddresses,
  setDeliveryIndexes,
  type Db,
  type IndexChange,
  type KeyUsage,
  type StoredAddress,
  type Tx,
} from '@renraku/db';
import {
  blindIndex,
  decryptAddress,
  encryptAddress,
  keyIdOfIndex,
  pushEndpointIndex,
  retiredIndex,
  sealPushSubscription,
  unsealPushSubscription,
  type Keys,
} from '@renraku/shared/crypto';

// Key rotation (issue 17): every address, push subscription and registration link's address is
// re-encrypted, and every blind index recomputed, under SECRET_KEY, while every process runs
// with SECRET_KEY (new) and SECRET_KEY_PREVIOUS (old) and so reads both. Decisions:
// - Batches of one transaction each, selected as "not under the new key yet": a crash loses at
//   most one batch's work, which the next run redoes; nothing needs a resume marker.
// - The unit is the mailbox (or device): all its rows and all its deliveries, in every message,
//   move to the new index in one transaction, so a call list or the fan-out never sees half.
// - Deliveries a dispatcher holds at that moment are skipped, never waited for; a last pass
//   gives each skipped (or concurrently fanned-out) delivery the index of the address it went
//   to, and one whose address is gone a keyed hash of its old index under the new key.
// - Before anything changes, every key found in the database must be SECRET_KEY or
//   SECRET_KEY_PREVIOUS, and SECRET_KEY_PREVIOUS must open what is under it.
// - Signed links (confirmation, bounces, replies) of earlier mails verify while
//   SECRET_KEY_PREVIOUS is set, and not after it is removed.

export const ROTATION_BATCH_DEFAULT = 500;
/** Passes over everything; a second one only finds rows written under the old key meanwhile. */
const MAX_PASSES = 3;

export type RotationRefusal =
  | { reason: 'no_previous_key' }
  /** Rows under a key that is neither SECRET_KEY nor SECRET_KEY_PREVIOUS. */
  | { reason: 'unknown_key'; kind: KeyUsage['kind']; keyId: string; rows: number }
  /** SECRET_KEY_PREVIOUS (or, before key ids, either key) does not open what it should. */
  | { reason: 'previous_key_wrong' };

export interface RotationReport {
  keyId: string;
  previousKeyId: string;
  addresses: number;
  pushSubscriptions: number;
  tokens: number;
  /** Deliveries moved with their mailbox, and by the last pass. */
  deliveries: number;
  /** Deliveries whose address is gone, given a retired index. */
  retiredDeliveries: number;
  /** Rows still not under the new key (written meanwhile): run again. Empty when done. */
  remaining: KeyUsage[];
}

export type RotationOutcome =
  { ok: true; report: RotationReport } | { ok: false; refusal: RotationRefusal };

/** What is under which key, and whether this process's keys cover all of it. */
export async function checkRotation(db: Db, keys: Keys): Promise<RotationRefusal | null> {
  const previous = keys.previous;
  if (!previous) return { reason: 'no_previous_key' };
  const usage = await keyUsage(db);
  const foreign = usage.find(
    (row) => row.keyId !== null && row.keyId !== keys.id && row.keyId !== previous.id,
  );
  if (foreign) {
    return { reason: 'unknown_key', kind: foreign.kind, keyId: foreign.keyId!, rows: foreign.rows };
  }
  for (const keyId of [previous.id, null]) {
    const sample = await findAddressCiphertextUnder(db, keyId);
    if (!sample) continue;
    try {
      decryptAddress(keys, sample);
    } catch {
      return { reason: 'previous_key_wrong' };
    }
  }
  return null;
}

const stale = (keys: Keys, index: string) => keyIdOfIndex(index) !== keys.id;

/** One mailbox batch: its rows re-encrypted, its deliveries moved with it. */
async function rotateAddressBatch(tx: Tx, keys: Keys, limit: number) {
  const rows = await lockStaleAddresses(tx, { keyId: keys.id, limit });
  const changes = new Map<string, string>();
  const rekeyed: StoredAddress[] = rows.map((row) => {
    const address = decryptAddress(keys, row.ciphertext);
    const next = blindIndex(keys, address);
    changes.set(row.blindIndex, next);
    return { id: row.id, blindIndex: next, ciphertext: encryptAddress(keys, address) };
  });
  await rekeyAddresses(tx, rekeyed);
  const moved = await rekeyDeliveries(tx, changesOf(changes));
  return { rows: rows.length, moved };
}

const changesOf = (changes: Map<string, string>): IndexChange[] =>
  [...changes].map(([from, to]) => ({ from, to }));

async function rotatePushBatch(tx: Tx, keys: Keys, limit: number) {
  const rows = await lockStalePushSubscriptions(tx, { keyId: keys.id, limit });
  const changes = new Map<string, string>();
  const rekeyed = rows.map((row) => {
    const subscription = unsealPushSubscription(keys, row);
    const sealed = sealPushSubscription(keys, subscription);
    changes.set(row.endpointIndex, pushEndpointIndex(keys, subscription.endpoint));
    return { id: row.id, ...sealed };
  });
  await rekeyPushSubscriptions(tx, rekeyed);
  const moved = await rekeyDeliveries(tx, changesOf(changes));
  return { rows: rows.length, moved };
}

async function rotateTokenBatch(tx: Tx, keys: Keys, limit: number) {
  const rows = await lockStaleTokenAddresses(tx, { keyId: keys.id, limit });
  await rekeyTokenAddresses(
    tx,
    rows.map((row) => {
      const address = decryptAddress(keys, row.ciphertext);
      return {
        id: row.id,
        blindIndex: blindIndex(keys, address),
        ciphertext: encryptAddress(keys, address),
      };
    }),
  );
  return { rows: rows.length, moved: 0 };
}

/**
 * The last pass over deliveries, in id order: a stale delivery takes its address's (or
 * device's) index when that is rotated and free in its message, else a retired index when
 * its device is gone; one whose device is not rotated yet waits for the next pass.
 */
async function retireDeliveryBatch(tx: Tx, keys: Keys, afterId: number, limit: number) {
  const rows = await lockStaleDeliveries(tx, keys.id, afterId, limit);
  const taken = new Set<string>();
  const updates: { id: number; blindIndex: string }[] = [];
  let retired = 0;
  for (const row of rows) {
    if (row.deviceIndex !== null && stale(keys, row.deviceIndex)) continue;
    const key = `${row.messageId}:${row.deviceIndex}`;
    const free = row.deviceIndex !== null && !row.deviceIndexTaken && !taken.has(key);
    if (free) {
      taken.add(key);
      updates.push({ id: row.id, blindIndex: row.deviceIndex! });
    } else {
      retired += 1;
      updates.push({ id: row.id, blindIndex: retiredIndex(keys, row.blindIndex) });
    }
  }
  await setDeliveryIndexes(tx, updates);
  return { rows: rows.length, lastId: rows.at(-1)?.id ?? null, moved: updates.length, retired };
}

/** Runs `batch` in its own transactions until it finds nothing; deadlocks retry the batch. */
async function drain(
  db: Db,
  batch: (tx: Tx) => Promise<{ rows: number; moved: number }>,
  onBatch: (rows: number) => void,
) {
  let rows = 0;
  let moved = 0;
  for (;;) {
    const done = await retrying(() => db.transaction(batch));
    if (done.rows === 0) return { rows, moved };
    rows += done.rows;
    moved += done.moved;
    onBatch(done.rows);
  }
}

/** A batch that lost a deadlock to sending is simply run again. */
async function retrying<T>(run: () => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt += 1) {
    try {
      return await run();
    } catch (error) {
      if (!isTransactionConflict(error) || attempt >= 5) throw error;
    }
  }
}

/**
 * Rotates every stored secret to SECRET_KEY; refuses, changing nothing, when the keys do not
 * match the database. `onProgress` hears each batch. Two runs at once are safe, only wasteful:
 * each batch re-checks under its row locks what is still stale.
 */
export async function rotateSecret(
  db: Db,
  keys: Keys,
  options: { batchSize?: number; onProgress?: (step: string, rows: number) => void } = {},
): Promise<RotationOutcome> {
  const refusal = await checkRotation(db, keys);
  if (refusal) return { ok: false, refusal };
  const limit = options.batchSize ?? ROTATION_BATCH_DEFAULT;
  const progress = options.onProgress ?? (() => {});
  const report: RotationReport = {
    keyId: keys.id,
    previousKeyId: keys.previous!.id,
    addresses: 0,
    pushSubscriptions: 0,
    tokens: 0,
    deliveries: 0,
    retiredDeliveries: 0,
    remaining: [],
  };
  for (let pass = 0; pass < MAX_PASSES; pass += 1) {
    const tokens = await drain(
      db,
      (tx) => rotateTokenBatch(tx, keys, limit),
      (n) => progress('registration links', n),
    );
    const addresses = await drain(
      db,
      (tx) => rotateAddressBatch(tx, keys, limit),
      (n) => progress('addresses', n),
    );
    const push = await drain(
      db,
      (tx) => rotatePushBatch(tx, keys, limit),
      (n) => progress('push subscriptions', n),
    );
    report.tokens += tokens.rows;
    report.addresses += addresses.rows;
    report.pushSubscriptions += push.rows;
    report.deliveries += addresses.moved + push.moved;
    let afterId = 0;
    for (;;) {
      const done = await retrying(() =>
        db.transaction((tx) => retireDeliveryBatch(tx, keys, afterId, limit * 10)),
      );
      if (done.lastId === null) break;
      afterId = done.lastId;
      report.deliveries += done.moved - done.retired;
      report.retiredDeliveries += done.retired;
      progress('deliveries', done.rows);
    }
    report.remaining = (await keyUsage(db)).filter((row) => row.keyId !== keys.id);
    if (report.remaining.length === 0) break;
  }
  await recordRotation(db, report);
  return { ok: true, report };
}

/** Every district's audit trail records the rotation (the installation's, not one school's). */
async function recordRotation(db: Db, report: RotationReport): Promise<void> {
  const { remaining, ...counts } = report;
  for (const district of await listDistricts(db)) {
    await recordAuditEvent(db, {
      districtId: district.id,
      actorType: 'system',
      actorId: null,
      action: 'secret.rotate',
      detail: { ...counts, complete: remaining.length === 0 },
    });
  }
}
