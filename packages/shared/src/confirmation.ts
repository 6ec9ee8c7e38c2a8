import { z } from 'zod';
import type { MessageCategory } from './domain';
import { nameFault } from './text';

// 安否確認: a message may ask each family to confirm it has seen it. Button 0 is always the
// plain 「確認しました」; the message's own choices follow as 1..N. Client-safe: the compose form,
// the parents' page, the dispatcher's mail and the API all read these rules from here.

/** Presets a sender picks from; `custom` means the sender typed the choices. */
export const CONFIRM_PRESETS = ['ack', 'safety'] as const;
export type ConfirmPreset = (typeof CONFIRM_PRESETS)[number] | 'custom';

/** Button 0, the plain confirmation every confirming message has. */
export const ACK_CHOICE = '確認しました';

/** The preset 安否確認 set, choices 1..4; けががあります and 迎えに行けません need a call. */
export const SAFETY_CHOICES = [
  '無事です',
  'けががあります',
  '迎えに行けます',
  '迎えに行けません',
] as const;
export const SAFETY_NEEDS_CALL: readonly number[] = [2, 4];

export const CONFIRM_CHOICES_MAX = 5;
export const CONFIRM_CHOICE_MAX_LENGTH = 20;
export const CONFIRM_DEADLINE_DEFAULT_MINUTES = 30;
export const CONFIRM_DEADLINE_MIN_MINUTES = 10;
export const CONFIRM_DEADLINE_MAX_MINUTES = 24 * 60;

/** Emergencies ask for confirmation unless the sender switches it off; news does not. */
export const CONFIRM_BY_DEFAULT: Readonly<Record<MessageCategory, boolean>> = {
  emergency_contact: true,
  emergency_info: true,
  education_info: false,
};

/** What a message stores of its request for confirmation. */
export interface ConfirmRequest {
  preset: ConfirmPreset;
  /** Choices 1..N (button 0 is ACK_CHOICE and not stored). */
  choices: string[];
  /** Choice indexes (1..N) whose families staff should phone. */
  needsCall: number[];
  deadlineMinutes: number;
}

const choiceLabel = z
  .string()
  .trim()
  .min(1, 'a choice cannot be empty')
  .max(CONFIRM_CHOICE_MAX_LENGTH, `a choice is longer than ${CONFIRM_CHOICE_MAX_LENGTH} characters`)
  .refine((value) => nameFault(value) === null, 'a choice must be one line of visible characters');

/**
 * The `confirm` block of POST /api/v1/messages (and of the compose form, read into this shape):
 * `false` switches confirmation off; an object asks for it. A preset and own choices exclude
 * each other; needsCall names choices that exist.
 */
export const confirmInputSchema = z.union([
  z.literal(false),
  z
    .object({
      preset: z.enum(CONFIRM_PRESETS).optional(),
      choices: z.array(choiceLabel).min(1).max(CONFIRM_CHOICES_MAX).optional(),
      needsCall: z
        .array(z.number().int().min(1).max(CONFIRM_CHOICES_MAX))
        .max(CONFIRM_CHOICES_MAX)
        .optional(),
      deadlineMinutes: z
        .number()
        .int()
        .min(CONFIRM_DEADLINE_MIN_MINUTES)
        .max(CONFIRM_DEADLINE_MAX_MINUTES)
        .optional(),
    })
    .strict()
    .refine((value) => !(value.preset && value.choices), {
      message: 'give either a preset or choices, not both',
      path: ['choices'],
    })
    .refine(
      (value) => {
        const count =
          value.choices?.length ?? (value.preset === 'safety' ? SAFETY_CHOICES.length : 0);
        return (value.needsCall ?? []).every((index) => index <= count);
      },
      { message: 'needsCall names a choice the message does not have', path: ['needsCall'] },
    )
    .refine((value) => new Set(value.choices ?? []).size === (value.choices ?? []).length, {
      message: 'two choices have the same words',
      path: ['choices'],
    }),
]);
export type ConfirmInput = z.infer<typeof confirmInputSchema>;

/** What a checked `confirm` input (or its absence) asks of a message of this category. */
export function confirmRequestOf(
  category: MessageCategory,
  input: ConfirmInput | undefined,
): ConfirmRequest | null {
  if (input === false || (input === undefined && !CONFIRM_BY_DEFAULT[category])) return null;
  const given = input ?? {};
  const deadlineMinutes = given.deadlineMinutes ?? CONFIRM_DEADLINE_DEFAULT_MINUTES;
  if (given.choices) {
    return {
      preset: 'custom',
      choices: given.choices,
      needsCall: [...new Set(given.needsCall ?? [])].sort((a, b) => a - b),
      deadlineMinutes,
    };
  }
  if (given.preset === 'safety') {
    const needsCall = given.needsCall ?? SAFETY_NEEDS_CALL;
    return {
      preset: 'safety',
      choices: [...SAFETY_CHOICES],
      needsCall: [...new Set(needsCall)].sort((a, b) => a - b),
      deadlineMinutes,
    };
  }
  return { preset: 'ack', choices: [], needsCall: [], deadlineMinutes };
}

/** Every button of the message, index = choice: 0 「確認しました」, then the message's own. */
export function choiceLabels(request: ConfirmRequest): string[] {
  return [ACK_CHOICE, ...request.choices];
}

/** Whether a choice index is one of the message's buttons. */
export function isChoiceOf(request: ConfirmRequest, choice: number): boolean {
  return Number.isInteger(choice) && choice >= 0 && choice <= request.choices.length;
}

/** Whether a family that answered `choice` should be phoned (listed first on the call list). */
export function answerNeedsCall(request: ConfirmRequest, choice: number | null): boolean {
  return choice !== null && request.needsCall.includes(choice);
}

/** How a family confirmed: the button on its personal page, or a reply to the mail. */
export const CONFIRM_CHANNELS = ['link', 'reply'] as const;
export type ConfirmChannel = (typeof CONFIRM_CHANNELS)[number];

/** Taps and replies are taken this long after the send; later the link is a plain 404. */
export const CONFIRM_OPEN_DAYS = 30;

/** Characters of a reply's own words shown to staff beside the answer. */
export const REPLY_WORDS_MAX = 200;

/** The tag in front of the subject of the chasing re-send (追いかけ). */
export const RESEND_TAG = '【再送】';
