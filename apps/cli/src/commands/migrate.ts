import { parseCommandArgs } from '../args';
import { withDatabase } from '../database';
import type { Command } from './types';

/** Applies the committed migrations; running it again changes nothing. */
export const migrate: Command = async (args, loadEnv) => {
  parseCommandArgs('migrate', args, {});
  const env = loadEnv();
  const driver = await withDatabase(env, async (handle) => {
    await handle.migrate();
    return handle.driver;
  });
  console.log(
    driver === 'pglite'
      ? `migrated the embedded database in ${env.dataDir}`
      : 'migrated the PostgreSQL database',
  );
};
