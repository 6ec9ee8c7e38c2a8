import { ConfigError } from '@renraku/shared/env';
import { HELP } from './commands/help';
import type { Command } from './commands/types';
import { loadCliEnv } from './env';
import { CommandError, UsageError } from './errors';

// `pnpm cli <command>`: an operator's first day (migrate, schools, staff, tokens) and scripts.

// Loaded on demand, so that `help` and a mistyped command answer without loading the database.
const COMMANDS = new Map<string, () => Promise<Command>>([
  ['migrate', async () => (await import('./commands/migrate')).migrate],
  ['seed-demo', async () => (await import('./commands/seed-demo')).seedDemo],
  ['list-schools', async () => (await import('./commands/list-schools')).listSchools],
  ['create-staff', async () => (await import('./commands/create-staff')).createStaff],
  ['create-api-token', async () => (await import('./commands/create-api-token')).createApiToken],
  ['retention', async () => (await import('./commands/retention')).retention],
  ['rotate-secret', async () => (await import('./commands/rotate-secret')).rotateSecret],
  ['templates', async () => (await import('./commands/templates')).templates],
  [
    'generate-vapid-keys',
    async () => (await import('./commands/generate-vapid-keys')).generateVapidKeys,
  ],
]);

async function main(argv: string[]): Promise<number> {
  // `pnpm cli -- create-staff …` passes the separator through.
  const [name, ...args] = argv[0] === '--' ? argv.slice(1) : argv;
  if (name === undefined) {
    process.stderr.write(HELP);
    return 2;
  }
  if (name === 'help' || name === '--help' || name === '-h') {
    process.stdout.write(HELP);
    return 0;
  }
  const load = COMMANDS.get(name);
  if (!load) throw new UsageError(`unknown command "${name}"`);
  const command = await load();
  await command(args, () => loadCliEnv());
  return 0;
}

/** The message and the exit code of a failure; a stack trace only for the unexpected. */
function report(error: unknown): number {
  if (error instanceof UsageError) {
    console.error(`error: ${error.message}\nRun \`pnpm cli help\` for the commands and options.`);
    return 2;
  }
  if (error instanceof CommandError || error instanceof ConfigError) {
    console.error(`error: ${error.message}`);
    return 1;
  }
  console.error(error);
  return 1;
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    process.exitCode = report(error);
  },
);
