import type { CliEnv } from '../env';

/**
 * One CLI command. The environment is read only once the arguments are known to be right,
 * so a typo never needs a database or a SECRET_KEY to be reported.
 */
export type Command = (args: string[], loadEnv: () => CliEnv) => Promise<void>;
