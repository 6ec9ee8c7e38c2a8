import { parseArgs, type ParseArgsConfig } from 'node:util';
import { UsageError } from './errors';

type Options = NonNullable<ParseArgsConfig['options']>;

/** Strict option parsing for one command: unknown options and stray arguments are usage errors. */
export function parseCommandArgs<T extends Options>(command: string, args: string[], options: T) {
  try {
    return parseArgs({ args, options, strict: true, allowPositionals: false }).values;
  } catch (error) {
    throw new UsageError(`${command}: ${(error as Error).message}`);
  }
}

/** A required option, with the name the operator typed in the message. */
export function requireOption(command: string, name: string, value: string | undefined): string {
  if (value === undefined || value.trim() === '') {
    throw new UsageError(`${command}: --${name} is required`);
  }
  return value;
}

/** A positive whole number given as an option. */
export function positiveIntOption(command: string, name: string, value: string): number {
  if (!/^[1-9][0-9]{0,8}$/.test(value)) {
    throw new UsageError(`${command}: --${name} must be a positive whole number, got "${value}"`);
  }
  return Number(value);
}

/** What `validated` needs of a zod schema (the CLI does not depend on zod itself). */
interface Schema<T> {
  safeParse(
    value: unknown,
  ): { success: true; data: T } | { success: false; error: { issues: { message: string }[] } };
}

/** Checks a value against a shared input schema; its first complaint becomes the usage error. */
export function validated<T>(command: string, schema: Schema<T>, what: string, value: string): T {
  const result = schema.safeParse(value);
  if (!result.success) {
    throw new UsageError(`${command}: ${what}: ${result.error.issues[0]?.message ?? 'invalid'}`);
  }
  return result.data;
}
