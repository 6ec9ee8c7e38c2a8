import { positiveInt } from './env';

// How long each kind of record is kept (issue 17): read by the dispatcher, whose nightly job
// deletes what is past its period, and by the CLI, whose `retention --dry-run` counts it.

/** Days each kind is kept (see packages/db/src/queries/retention.ts for what each covers). */
export interface RetentionPolicy {
  /** Finished messages with their deliveries and answers: 3 years, a school's record period. */
  messagesDays: number;
  /** Bounce reports nobody could parse, kept for an operator to read. */
  unparsedBouncesDays: number;
  /** Registration and address links, past their expiry. */
  tokensDays: number;
}

export const retentionEnv = {
  RETAIN_MESSAGES_DAYS: positiveInt(3 * 365),
  RETAIN_UNPARSED_BOUNCES_DAYS: positiveInt(90),
  RETAIN_TOKENS_DAYS: positiveInt(7),
};

export function retentionPolicyOf(env: {
  RETAIN_MESSAGES_DAYS: number;
  RETAIN_UNPARSED_BOUNCES_DAYS: number;
  RETAIN_TOKENS_DAYS: number;
}): RetentionPolicy {
  return {
    messagesDays: env.RETAIN_MESSAGES_DAYS,
    unparsedBouncesDays: env.RETAIN_UNPARSED_BOUNCES_DAYS,
    tokensDays: env.RETAIN_TOKENS_DAYS,
  };
}
