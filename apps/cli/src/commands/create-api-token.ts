import { issueStaffApiToken } from '@renraku/core/staff';
import { findStaffUserByLogin } from '@renraku/db';
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
  const issued = await withDatabase(loadEnv(), async ({ db }) => {
    const owner = await findStaffUserByLogin(db, login);
    if (!owner) throw new CommandError(`${COMMAND}: no staff user with login "${login}"`);
    if (owner.disabledAt)
      throw new CommandError(`${COMMAND}: the staff user "${login}" is disabled`);
    // The tokens page's service, audited as the operator issuing for the owner.
    return issueStaffApiToken(
      db,
      { actorType: 'operator' },
      { staffUserId: owner.id, districtId: owner.districtId, schoolId: owner.schoolId },
      name,
    );
  });
  console.error(`API token "${name}" for ${login} (shown only this once; store it now):`);
  console.log(issued.token);
};
