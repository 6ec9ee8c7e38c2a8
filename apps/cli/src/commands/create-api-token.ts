import {
  createApiToken as storeApiToken,
  findStaffUserByLogin,
  recordAuditEvent,
} from '@renraku/db';
import { issueApiToken } from '@renraku/shared/crypto';
import { parseCommandArgs, requireOption } from '../args';
import { withDatabase } from '../database';
import { CommandError, UsageError } from '../errors';
import type { Command } from './types';

const COMMAND = 'create-api-token';

/**
 * Issues an API token acting as a staff user. Only the token goes to stdout, so a script can
 * capture it; it is shown this once, and the database keeps only its hash.
 */
export const createApiToken: Command = async (args, loadEnv) => {
  const options = parseCommandArgs(COMMAND, args, {
    login: { type: 'string' },
    name: { type: 'string' },
  });
  const login = requireOption(COMMAND, 'login', options.login);
  const name = (options.name ?? 'cli').trim();
  if (name === '' || name.length > 100) {
    throw new UsageError(`${COMMAND}: --name must be 1–100 characters`);
  }
  const issued = issueApiToken();
  await withDatabase(loadEnv(), async ({ db }) => {
    const owner = await findStaffUserByLogin(db, login);
    if (!owner) throw new CommandError(`${COMMAND}: no staff user with login "${login}"`);
    if (owner.disabledAt)
      throw new CommandError(`${COMMAND}: the staff user "${login}" is disabled`);
    await db.transaction(async (tx) => {
      const token = await storeApiToken(tx, {
        staffUserId: owner.id,
        name,
        tokenHash: issued.tokenHash,
        tokenPrefix: issued.tokenPrefix,
      });
      await recordAuditEvent(tx, {
        districtId: owner.districtId,
        actorType: 'operator',
        action: 'api_token.create',
        subjectType: 'api_token',
        subjectId: String(token.id),
        detail: { staffUserId: owner.id, name, tokenPrefix: issued.tokenPrefix },
      });
    });
  });
  console.error(`API token "${name}" for ${login} (shown only this once; store it now):`);
  console.log(issued.token);
};
