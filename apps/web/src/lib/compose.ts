import { t, type Locale, type MessageKey } from './i18n';

// The compose and schedule pages' wording of the send service's field refusals; client-safe.

/** Each refused field's message key and placeholders, as the actions return them. */
export type FieldProblems = Record<
  string,
  { key: string; params?: Record<string, number> } | undefined
>;

/** The text of a field's problem in the reader's language, or undefined when it has none. */
export function problemText(
  locale: Locale,
  problems: FieldProblems,
  field: string,
): string | undefined {
  const problem = problems[field];
  return problem && t(locale, problem.key as MessageKey, problem.params);
}
