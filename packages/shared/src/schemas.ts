import { z } from 'zod';
import { CALL_MARKS, MESSAGE_CATEGORIES } from './domain';
import { nameFault, textFault } from './text';

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

/** Controls other than tab and newline, bidi overrides and broken encoding never belong in a subject or a body. */
const noControlCharacters = (value: string) => textFault(value, { multiline: true }) === null;

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

/** A row id as a socket client sends it: an integer column's range, nothing PostgreSQL would refuse. */
const rowId = id.max(2_147_483_647);

export const socketWatchSchema = z.object({ messageId: rowId });

/** A call-list mark from a socket client; null clears the mark. */
export const socketCallListMarkSchema = z.object({
  messageId: rowId,
  householdId: rowId,
  mark: z.enum(CALL_MARKS).nullable(),
});

/** Staff logins are typed by hand and appear in audit logs: short, ASCII, case-insensitive. */
export const staffLoginSchema = z
  .string()
  .trim()
  .regex(
    /^[a-z0-9][a-z0-9._-]{2,63}$/i,
    'login must be 3–64 letters, digits, ".", "_" or "-", starting with a letter or digit',
  );

/** Staff accounts can send to a whole city, so their passwords are longer than parents'. */
export const STAFF_PASSWORD_MIN = 12;
export const staffPasswordSchema = z
  .string()
  .min(STAFF_PASSWORD_MIN, `password must be at least ${STAFF_PASSWORD_MIN} characters`)
  .max(200, 'password is longer than 200 characters');

/** The name other staff see on call-list marks and in the audit log. */
export const staffDisplayNameSchema = z
  .string()
  .trim()
  .min(1, 'name is required')
  .max(100, 'name is longer than 100 characters')
  .refine((value) => nameFault(value) === null, 'name must be one line of visible characters');
