// What a failed statement's SQLSTATE says, whichever driver threw it and whether drizzle wrapped it.

/** The SQLSTATE of a failed query, whether the driver's error is thrown bare or wrapped by drizzle. */
export function sqlStateOf(error: unknown): string | undefined {
  for (let current = error; current instanceof Error; current = current.cause) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === 'string' && /^[0-9A-Z]{5}$/.test(code)) return code;
  }
  return undefined;
}

/** A deadlock or serialization failure: the transaction lost a race and may simply run again. */
export function isTransactionConflict(error: unknown): boolean {
  const state = sqlStateOf(error);
  return state === '40P01' || state === '40001';
}
