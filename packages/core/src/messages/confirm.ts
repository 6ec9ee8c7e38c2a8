import {
  CONFIRM_CHOICE_MAX_LENGTH,
  CONFIRM_CHOICES_MAX,
  CONFIRM_DEADLINE_MAX_MINUTES,
  CONFIRM_DEADLINE_MIN_MINUTES,
  confirmInputSchema,
  confirmRequestOf,
  type ConfirmRequest,
  type MessageCategory,
} from '@renraku/shared';
import type { z } from 'zod';

// The `confirm` block of a send (安否確認): checked by the shared schema, then turned into the
// request the message stores, the category's default when the block is absent.

/** The web catalogue's keys a refused `confirm` block names. */
export type ConfirmProblemKey =
  | 'compose.error.confirm'
  | 'compose.error.confirmChoicesRequired'
  | 'compose.error.confirmChoicesTooMany'
  | 'compose.error.confirmChoiceTooLong'
  | 'compose.error.confirmChoiceOneLine'
  | 'compose.error.confirmChoicesDuplicate'
  | 'compose.error.confirmNeedsCall'
  | 'compose.error.confirmDeadline';

export interface ConfirmProblem {
  key: ConfirmProblemKey;
  params?: Record<string, number>;
}

export type ConfirmCheck =
  | { ok: true; confirm: ConfirmRequest | null }
  /** `message` is for integrations: the failing path and why, in English. */
  | { ok: false; problem: ConfirmProblem; path: string; message: string };

/** The page's wording of the block's first problem. */
function problemOf(issue: z.core.$ZodIssue): ConfirmProblem {
  const [field, item] = issue.path;
  if (field === 'deadlineMinutes') {
    return {
      key: 'compose.error.confirmDeadline',
      params: { min: CONFIRM_DEADLINE_MIN_MINUTES, max: CONFIRM_DEADLINE_MAX_MINUTES },
    };
  }
  if (field === 'needsCall') return { key: 'compose.error.confirmNeedsCall' };
  if (field !== 'choices') return { key: 'compose.error.confirm' };
  if (item === undefined) {
    if (issue.code === 'too_big') {
      return { key: 'compose.error.confirmChoicesTooMany', params: { max: CONFIRM_CHOICES_MAX } };
    }
    if (issue.code === 'too_small') return { key: 'compose.error.confirmChoicesRequired' };
    if (issue.message.includes('same words'))
      return { key: 'compose.error.confirmChoicesDuplicate' };
    return { key: 'compose.error.confirm' };
  }
  if (issue.code === 'too_big') {
    return {
      key: 'compose.error.confirmChoiceTooLong',
      params: { max: CONFIRM_CHOICE_MAX_LENGTH },
    };
  }
  if (issue.code === 'too_small') return { key: 'compose.error.confirmChoicesRequired' };
  return issue.code === 'custom'
    ? { key: 'compose.error.confirmChoiceOneLine' }
    : { key: 'compose.error.confirm' };
}

/**
 * What a send's input asks of families: its `confirm` block (absent: the category's default,
 * `false`: nothing), or the block's first problem.
 */
export function checkConfirm(category: MessageCategory, raw: unknown): ConfirmCheck {
  const block =
    raw !== null && typeof raw === 'object' ? (raw as { confirm?: unknown }).confirm : undefined;
  if (block === undefined) return { ok: true, confirm: confirmRequestOf(category, undefined) };
  const parsed = confirmInputSchema.safeParse(block);
  if (parsed.success) return { ok: true, confirm: confirmRequestOf(category, parsed.data) };
  // For an object, the union's problem is only "not false nor a valid object": its own
  // problem is the object branch's.
  const own =
    typeof block === 'object' && block !== null && !Array.isArray(block)
      ? confirmInputSchema.options[1].safeParse(block).error?.issues[0]
      : undefined;
  const issue = own ?? parsed.error.issues[0]!;
  const path = ['confirm', ...issue.path.map(String)].join('.');
  return { ok: false, problem: problemOf(issue), path, message: `${path}: ${issue.message}` };
}
