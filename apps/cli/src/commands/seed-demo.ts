import { DEMO_LOGINS, seedDemo as seedDemoDistrict } from '@renraku/db/seed';
import { parseCommandArgs } from '../args';
import { withDatabase } from '../database';
import { CommandError } from '../errors';
import { formatTable } from '../table';
import type { Command } from './types';

/** Migrates, then seeds the demo district into an empty database (never beside real data). */
export const seedDemo: Command = async (args, loadEnv) => {
  parseCommandArgs('seed-demo', args, {});
  const env = loadEnv();
  const keys = env.keys();
  const result = await withDatabase(env, async (handle) => {
    await handle.migrate();
    return seedDemoDistrict(handle.db, { keys, mailDomain: env.mailDomain });
  });
  if (!result.seeded) {
    if (result.reason === 'already-seeded') {
      console.log('the demo district is already there; nothing changed');
      return;
    }
    throw new CommandError(
      'seed-demo: the database already holds a district; the demo is only seeded into an empty database',
    );
  }
  const { counts } = result;
  console.log(
    `seeded the demo district: ${counts.schools} schools, ${counts.classes} classes, ` +
      `${counts.students} students in ${counts.households} households, ` +
      `${counts.registrations} registrations with ${counts.addresses} addresses, ` +
      `${counts.staffUsers} staff logins`,
  );
  console.log('');
  process.stdout.write(
    formatTable(
      ['login', 'role', 'scope', 'password'],
      DEMO_LOGINS.map((l) => [l.login, l.role, l.scope, l.password]),
    ),
  );
};
