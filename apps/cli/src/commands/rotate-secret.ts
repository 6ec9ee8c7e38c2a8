import {
  ROTATION_BATCH_DEFAULT,
  rotateSecret as rotate,
  type RotationRefusal,
} from '@renraku/core/key-rotation';
import { parseCommandArgs, positiveIntOption } from '../args';
import { withDatabase } from '../database';
import { CommandError } from '../errors';
import type { Command } from './types';

/** The operator's words for a refusal; nothing was changed in any of these cases. */
function refusalText(refusal: RotationRefusal): string {
  switch (refusal.reason) {
    case 'no_previous_key':
      return 'SECRET_KEY_PREVIOUS is not set: set it to the key being replaced, and SECRET_KEY to the new one';
    case 'unknown_key':
      return `${refusal.rows} ${refusal.kind} rows are under key ${refusal.keyId}, which is neither SECRET_KEY nor SECRET_KEY_PREVIOUS`;
    case 'previous_key_wrong':
      return 'SECRET_KEY_PREVIOUS does not decrypt the stored addresses: it is not the key they were written with';
  }
}

/**
 * Re-encrypts every address and push subscription and recomputes every blind index under
 * SECRET_KEY, reading what is still under SECRET_KEY_PREVIOUS. Safe to run again after a crash.
 */
export const rotateSecret: Command = async (args, loadEnv) => {
  const options = parseCommandArgs('rotate-secret', args, {
    'batch-size': { type: 'string' },
    json: { type: 'boolean' },
  });
  const batchSize =
    options['batch-size'] === undefined
      ? ROTATION_BATCH_DEFAULT
      : positiveIntOption('rotate-secret', 'batch-size', options['batch-size']);
  const env = loadEnv();
  const keys = env.keys();
  const outcome = await withDatabase(env, ({ db }) =>
    rotate(db, keys, {
      batchSize,
      onProgress: options.json ? undefined : (step, rows) => console.log(`rotated ${rows} ${step}`),
    }),
  );
  if (!outcome.ok) throw new CommandError(`${refusalText(outcome.refusal)}; nothing was changed`);
  const { report } = outcome;
  if (options.json) {
    console.log(JSON.stringify(report, null, 2));
  } else {
    console.log(
      `key ${report.previousKeyId} → ${report.keyId}: ${report.addresses} addresses, ` +
        `${report.pushSubscriptions} push subscriptions, ${report.tokens} registration links, ` +
        `${report.deliveries} deliveries (${report.retiredDeliveries} of removed addresses retired)`,
    );
  }
  if (report.remaining.length > 0) {
    throw new CommandError(
      `${report.remaining.reduce((sum, row) => sum + row.rows, 0)} rows are still under the previous key (written meanwhile): run rotate-secret again`,
    );
  }
  if (!options.json) {
    console.log('done: restart every process without SECRET_KEY_PREVIOUS to finish the rotation');
  }
};
