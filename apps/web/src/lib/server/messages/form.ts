import {
  CONFIRM_BY_DEFAULT,
  CONFIRM_CHOICES_MAX,
  jstInstantOf,
  MESSAGE_CATEGORIES,
} from '@renraku/shared';
import type { ConfirmFormValues } from '$lib/compose';
import { idFrom, textFrom } from '../staff-admin/http';

// The compose form's fields, read from a post and turned into the send service's input. The
// same values go back to the page to fill the form again (after an error, or for 修正する).

/** What the compose form posts; every field as the form holds it. */
export interface ComposeValues extends ConfirmFormValues {
  category: string;
  subject: string;
  body: string;
  /** 'district' | 'schools' | 'grades' | 'classes'. */
  targetKind: string;
  schoolIds: number[];
  /** The school whose grades a 'grades' target names. */
  gradeSchoolId: number | null;
  grades: number[];
  classIds: number[];
  /** 'now', or 'later' with `scheduledAt` as <input type="datetime-local"> gives it. */
  when: string;
  scheduledAt: string;
  idempotencyKey: string;
  /** The sender's uploads the form holds (ticked), stored by an earlier step. */
  attachmentIds: number[];
  /** The template the message is written from, with its slots as typed; null for free text. */
  templateId: number | null;
  slots: Record<string, string>;
}

/** A template's slot fields are posted as `slot.<name>` (日付 → slot.日付). */
const SLOT_FIELD = 'slot.';

function slotsFrom(form: FormData): Record<string, string> {
  const slots: Record<string, string> = {};
  for (const [name, value] of form.entries()) {
    if (name.startsWith(SLOT_FIELD)) slots[name.slice(SLOT_FIELD.length)] = textFrom(value);
  }
  return slots;
}

function idsFrom(form: FormData, name: string): number[] {
  return form
    .getAll(name)
    .map((value) => idFrom(value))
    .filter((id): id is number => id !== undefined);
}

/** What the box says: the category's default while untouched, else the sender's tick. */
function confirmState(
  form: FormData,
  category: string,
): Pick<ComposeValues, 'confirm' | 'confirmDefault'> {
  const ticked = form.get('confirm') === 'on';
  const shown = form.get('confirmDefault');
  // A post without the fields at all (not our form's) takes the default too: an emergency
  // asks for confirmation unless a sender said otherwise.
  const untouched =
    shown === null || ((shown === 'on' || shown === 'off') && ticked === (shown === 'on'));
  if (!untouched) return { confirm: ticked, confirmDefault: '' };
  const known = MESSAGE_CATEGORIES.find((value) => value === category);
  const confirm = known ? CONFIRM_BY_DEFAULT[known] : ticked;
  return { confirm, confirmDefault: confirm ? 'on' : 'off' };
}

/** Every compose field from a posted form, with anything missing or malformed left empty. */
export function composeValuesFrom(form: FormData): ComposeValues {
  const category = textFrom(form.get('category'));
  const choices = form.getAll('confirmChoice');
  return {
    category,
    subject: textFrom(form.get('subject')),
    body: textFrom(form.get('body')),
    targetKind: textFrom(form.get('targetKind')),
    schoolIds: idsFrom(form, 'schoolIds'),
    gradeSchoolId: idFrom(form.get('gradeSchoolId')) ?? null,
    grades: idsFrom(form, 'grades'),
    classIds: idsFrom(form, 'classIds'),
    when: textFrom(form.get('when')) === 'later' ? 'later' : 'now',
    scheduledAt: textFrom(form.get('scheduledAt')),
    idempotencyKey: textFrom(form.get('idempotencyKey')),
    attachmentIds: idsFrom(form, 'attachmentIds'),
    ...confirmState(form, category),
    confirmPreset: textFrom(form.get('confirmPreset')) || 'ack',
    confirmChoices: Array.from({ length: CONFIRM_CHOICES_MAX }, (_, i) =>
      textFrom(choices[i] ?? null),
    ),
    confirmNeedsCall: idsFrom(form, 'confirmNeedsCall').filter((n) => n <= CONFIRM_CHOICES_MAX),
    confirmDeadline: textFrom(form.get('confirmDeadline')),
    templateId: idFrom(form.get('templateId')) ?? null,
    slots: slotsFrom(form),
  };
}

/** A datetime-local value is the school's clock; anything else is left for the schema to refuse. */
function jstInstant(local: string): string {
  return jstInstantOf(local) ?? local;
}

function targetOf(values: ComposeValues): unknown {
  switch (values.targetKind) {
    case 'district':
      return { kind: 'district' };
    case 'schools':
      return { kind: 'schools', schoolIds: values.schoolIds };
    case 'grades':
      return { kind: 'grades', schoolId: values.gradeSchoolId, grades: values.grades };
    case 'classes':
      return { kind: 'classes', classIds: values.classIds };
    default:
      return undefined;
  }
}

/**
 * The API's `confirm` block of the form. Empty choice boxes are skipped, and a 「要電話」
 * follows its box to the choice's number among the filled ones.
 */
function confirmOf(values: ComposeValues): unknown {
  if (!values.confirm) return false;
  const typed = values.confirmDeadline.trim();
  const deadlineMinutes =
    typed === '' ? undefined : /^[0-9]{1,5}$/.test(typed) ? Number(typed) : typed;
  if (values.confirmPreset !== 'custom') {
    return { preset: values.confirmPreset, deadlineMinutes };
  }
  const filled = values.confirmChoices
    .map((text, i) => ({ text: text.trim(), box: i + 1 }))
    .filter((choice) => choice.text !== '');
  return {
    choices: filled.map((choice) => choice.text),
    needsCall: filled.flatMap((choice, i) =>
      values.confirmNeedsCall.includes(choice.box) ? [i + 1] : [],
    ),
    deadlineMinutes,
  };
}

/** The send service's input (messageInputSchema's shape; the service validates it). */
export function messageInputOf(values: ComposeValues): unknown {
  // From a template the service writes subject and body from the slots.
  const text =
    values.templateId === null
      ? { subject: values.subject, body: values.body }
      : { template: { id: values.templateId, slots: values.slots } };
  return {
    category: values.category,
    ...text,
    target: targetOf(values),
    confirm: confirmOf(values),
    attachmentIds: values.attachmentIds,
    ...(values.when === 'later' ? { scheduledAt: jstInstant(values.scheduledAt) } : {}),
  };
}
