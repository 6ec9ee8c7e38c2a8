import { listSchoolsWithDistrict } from '@renraku/db';
import { parseCommandArgs } from '../args';
import { withDatabase } from '../database';
import { resolveDistrict } from '../lookups';
import { formatTable } from '../table';
import type { Command } from './types';

/** Codes and registration addresses, for printing sheets and configuring the mail server. */
export const listSchools: Command = async (args, loadEnv) => {
  const options = parseCommandArgs('list-schools', args, {
    json: { type: 'boolean' },
    district: { type: 'string' },
  });
  const schools = await withDatabase(loadEnv(), async ({ db }) => {
    const district = options.district
      ? await resolveDistrict(db, 'list-schools', options.district)
      : undefined;
    return listSchoolsWithDistrict(db, district?.id);
  });
  if (options.json) {
    console.log(JSON.stringify(schools, null, 2));
    return;
  }
  if (schools.length === 0) {
    console.log('no schools yet (`pnpm cli seed-demo` creates a demo district)');
    return;
  }
  process.stdout.write(
    formatTable(
      ['district', 'code', 'name', 'kind', 'registration address'],
      schools.map((s) => [s.districtCode, s.code, s.name, s.kind, s.registrationAddress]),
    ),
  );
};
