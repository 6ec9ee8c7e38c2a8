import { createDb, DatabaseInUseError, sqlStateOf, type DbHandle } from '@renraku/db';
import type { CliEnv } from './env';
import { CommandError } from './errors';

/** PostgreSQL's "relation does not exist": the tables were never created. */
const UNDEFINED_TABLE = '42P01';

/**
 * Opens the configured database for one command and always closes it. The embedded PGlite
 * database allows one process at a time: while `pnpm start` has it open, the command stops
 * with the reason and what to do (exit code 1), before PGlite is touched.
 */
export async function withDatabase<T>(env: CliEnv, run: (handle: DbHandle) => Promise<T>) {
  const handle = await createDb({
    url: env.databaseUrl,
    dataDir: env.dataDir,
    poolMax: 2,
  }).catch((error: unknown) => {
    throw error instanceof DatabaseInUseError ? new CommandError(error.message) : error;
  });
  try {
    return await run(handle);
  } catch (error) {
    if (sqlStateOf(error) === UNDEFINED_TABLE) {
      throw new CommandError(
        'the database has no Renraku tables yet: run `pnpm cli migrate` first',
      );
    }
    throw error;
  } finally {
    await handle.close();
  }
}
