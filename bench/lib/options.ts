import { parseArgs } from 'node:util';

// The command line of a bench entry point, parsed strictly: an unknown or malformed option stops
// it with the usage (exit 2) instead of running half an hour of the wrong bench.

export interface OptionSpec {
  /** A flag, or a positive whole number with its default (0 when absent and none). */
  kind: 'flag' | 'number';
  fallback?: number;
  help: string;
}

type Values<T extends Record<string, OptionSpec>> = {
  [K in keyof T]: T[K]['kind'] extends 'flag' ? boolean : number;
};

function usage(command: string, spec: Record<string, OptionSpec>): string {
  const lines = Object.entries(spec).map(([name, option]) => {
    const left = option.kind === 'flag' ? `--${name}` : `--${name}=N`;
    const fallback = option.fallback === undefined ? '' : ` (default ${option.fallback})`;
    return `  ${left.padEnd(18)}${option.help}${fallback}`;
  });
  return `Usage: ${command} [options]\n\nOptions:\n${lines.join('\n')}\n  ${'--help'.padEnd(18)}this text\n`;
}

/** The options of `argv`, or the process ends: 0 after --help, 2 after a bad option. */
export function benchOptions<T extends Record<string, OptionSpec>>(
  command: string,
  argv: readonly string[],
  spec: T,
): Values<T> {
  const text = usage(command, spec);
  let parsed: Record<string, string | boolean | undefined>;
  try {
    parsed = parseArgs({
      args: [...argv],
      strict: true,
      allowPositionals: false,
      options: {
        help: { type: 'boolean' },
        ...Object.fromEntries(
          Object.entries(spec).map(([name, option]) => [
            name,
            { type: option.kind === 'flag' ? ('boolean' as const) : ('string' as const) },
          ]),
        ),
      },
    }).values;
  } catch (error) {
    process.stderr.write(`${(error as Error).message}\n\n${text}`);
    process.exit(2);
  }
  if (parsed.help) {
    process.stdout.write(text);
    process.exit(0);
  }
  const values: Record<string, boolean | number> = {};
  for (const [name, option] of Object.entries(spec)) {
    const given = parsed[name];
    if (option.kind === 'flag') {
      values[name] = given === true;
      continue;
    }
    if (given === undefined) {
      values[name] = option.fallback ?? 0;
      continue;
    }
    if (typeof given !== 'string' || !/^[1-9][0-9]{0,8}$/.test(given)) {
      process.stderr.write(
        `--${name} must be a positive whole number, got "${String(given)}"\n\n${text}`,
      );
      process.exit(2);
    }
    values[name] = Number(given);
  }
  return values as Values<T>;
}
