import { z } from 'zod';
import { MESSAGE_CATEGORIES } from './domain';

// Input schemas for everything that crosses a boundary (forms, API bodies, socket payloads).

const id = z.number().int().positive();

export const messageTargetSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('district') }),
  z.object({ kind: z.literal('schools'), schoolIds: z.array(id).min(1).max(500) }),
  z.object({
    kind: z.literal('grades'),
    schoolId: id,
    grades: z.array(z.number().int().min(1).max(6)).min(1).max(6),
  }),
  z.object({ kind: z.literal('classes'), classIds: z.array(id).min(1).max(500) }),
]);

/** Subject fits a phone's list view; body a long but bounded notice. */
export const SUBJECT_MAX = 100;
export const BODY_MAX = 5000;

/** Control characters other than tab and newline never belong in a subject or a body. */
const noControlCharacters = (value: string) =>
  !/[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/.test(value);

export const messageInputSchema = z.object({
  category: z.enum(MESSAGE_CATEGORIES),
  subject: z
    .string()
    .trim()
    .min(1, 'subject is required')
    .max(SUBJECT_MAX, `subject is longer than ${SUBJECT_MAX} characters`)
    .refine((value) => !/[\r\n]/.test(value), 'subject must be one line')
    .refine(noControlCharacters, 'subject contains control characters'),
  body: z.preprocess(
    (value) => (typeof value === 'string' ? value.replace(/\r\n?/g, '\n') : value),
    z
      .string()
      .trim()
      .min(1, 'body is required')
      .max(BODY_MAX, `body is longer than ${BODY_MAX} characters`)
      .refine(noControlCharacters, 'body contains control characters'),
  ),
  target: messageTargetSchema,
  scheduledAt: z.iso.datetime({ offset: true }).optional(),
});
export type MessageInput = z.infer<typeof messageInputSchema>;

export const socketWatchSchema = z.object({ messageId: id });
