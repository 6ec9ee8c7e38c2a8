/** Wrong command line: the operator gets the reason and a pointer to `help`; exit code 2. */
export class UsageError extends Error {
  override name = 'UsageError';
}

/** A well-formed request the installation cannot satisfy (unknown login, school…); exit code 1. */
export class CommandError extends Error {
  override name = 'CommandError';
}
