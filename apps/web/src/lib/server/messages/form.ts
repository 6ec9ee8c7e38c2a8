import { jstInstantOf } from '@renraku/shared';
import { idFrom, textFrom } from '../staff-admin/http';

// The compose form's fields, read from a post and turned into the send service's input. The
// same values go back to the page to fill the form again (after an error, or for 修正する).

/** What the compose form posts; every field as the form holds it. */
export interface ComposeValues {
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
}

function idsFrom(form: FormData, name: string): number[] {
  return form
    .getAll(name)
    .map((value) => idFrom(value))
    .filter((id): id is number => id !== undefined);
}

/** Every compose field from a posted form, with anything missing or malformed left empty. */
export function composeValuesFrom(form: FormData): ComposeValues {
  return {
    category: textFrom(form.get('category')),
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

/** The send service's input (messageInputSchema's shape; the service validates it). */
export function messageInputOf(values: ComposeValues): unknown {
  return {
    category: values.category,
    subject: values.subject,
    body: values.body,
    target: targetOf(values),
    ...(values.when === 'later' ? { scheduledAt: jstInstant(values.scheduledAt) } : {}),
  };
}
