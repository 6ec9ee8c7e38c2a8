import { runRetention } from '@renraku/core/retention';
import { parseCommandArgs } from '../args';
import { withDatabase } from '../database';
import { CommandError } from '../errors';
import { formatTable } from '../table';
import type { Command } from './types';

/** Deletes (or with --dry-run only counts) what is past its RETAIN_* period, as the nightly job does. */
export const retention: Command = async (args, loadEnv) => {
  const options = parseCommandArgs('retention', args, {
    'dry-run': { type: 'boolean' },
    json: { type: 'boolean' },
  });
  const env = loadEnv();
  const dryRun = options['dry-run'] === true;
  const run = await withDatabase(env, ({ db }) => runRetention(db, env.retention, { dryRun }));
  if (!run) throw new CommandError('retention is running in another process; try again later');
  if (options.json) {
    console.log(JSON.stringify(run, null, 2));
    return;
  }
  const { installation } = run;
  process.stdout.write(
    formatTable(
      ['district', 'messages', 'deliveries', 'answers', 'left students', 'households'],
      run.districts.map((d) => [
        String(d.districtId),
        String(d.messages),
        String(d.deliveries),
        String(d.answers),
        String(d.leftStudents),
        String(d.households),
      ]),
    ),
  );
  console.log(
    `unparsed bounce reports ${installation.unparsedBounces}, links ${installation.tokens}, sessions ${installation.sessions}, unsent attachments ${installation.unsentAttachments}`,
  );
  console.log(dryRun ? 'dry run: nothing was deleted' : 'deleted, and recorded in the audit trail');
};
