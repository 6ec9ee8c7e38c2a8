import { findDistrictByCode, listDistricts } from '@renraku/db';
import { installSeedTemplates } from '@renraku/core/templates';
import { parseCommandArgs } from '../args';
import { withDatabase } from '../database';
import { CommandError, UsageError } from '../errors';
import type { Command } from './types';

/**
 * `templates seed [--district CODE]`: installs the seed catalogue's templates each district
 * (or the one named) lacks; safe to repeat, and what the board edited stays as it is.
 */
export const templates: Command = async (args, loadEnv) => {
  const [action, ...rest] = args;
  if (action !== 'seed') throw new UsageError('templates: the only action is "seed"');
  const options = parseCommandArgs('templates seed', rest, { district: { type: 'string' } });
  const env = loadEnv();
  await withDatabase(env, async (handle) => {
    const code = options.district;
    const districts =
      code === undefined
        ? await listDistricts(handle.db)
        : [await findDistrictByCode(handle.db, code)].filter((d) => d !== undefined);
    if (code !== undefined && districts.length === 0) {
      throw new CommandError(`templates seed: no district with code "${code}"`);
    }
    for (const district of districts) {
      const added = await installSeedTemplates(handle, district.id);
      console.log(`${district.code}: ${added} template(s) added`);
    }
  });
};
