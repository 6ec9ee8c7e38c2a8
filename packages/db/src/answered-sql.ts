import { sql, type SQL } from 'drizzle-orm';

/**
 * The message whose answers a message's figures count: its own, or for a re-send (【再送】) the
 * message it chases, where its families' answers are recorded. A re-send's figures are then
 * those of the households it was sent to.
 */
export function answeredMessageOf(messageId: number): SQL {
  return sql`(select coalesce(resend_of, id) from messages where id = ${messageId})`;
}
