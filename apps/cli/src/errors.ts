/** Wrong command line: the operator gets the reason and a pointer to `help`; exit code 2. */
export class UsageError extends Error {
  override name = 'UsageError';
}

/** A well-formed request the installation cannot satisfy (unknown login, school…); exit code 1. */
export class CommandError extends Error {
  override name = 'CommandError';
}

/** The SQLSTATE of a failed query, whether the driver's error is thrown bare or wrapped by drizzle. */
export function sqlStateOf(error: unknown): string | undefined {
  for (let current = error; current instanceof Error; current = current.cause) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === 'string' && /^[0-9A-Z]{5}$/.test(code)) return code;
  }
  return undefined;
}
