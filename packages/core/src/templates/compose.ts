import { findParentSchool, listDistricts, type Db, type Tx } from '@renraku/db';
import {
  fillVariants,
  messageTargetSchema,
  ServiceError,
  slotProblems,
  type FilledVariants,
  type MessageCategory,
  type MessageTarget,
  type SlotValues,
  type StaffScope,
} from '@renraku/shared';
import { z } from 'zod';
import { visibleTemplate } from './visible';

// A send from a template: the slots the sender filled are checked against the template's
// types, the school slot is filled by the server, and every variant the template carries is
// filled now, so that the message keeps its text whatever later happens to the template.

/** `template: { id, slots }` of a compose form or an API body. */
const templateBlockSchema = z.object({
  id: z.number().int().positive().max(2_147_483_647),
  slots: z.record(z.string(), z.unknown()).default({}),
});

/** What a template contributes to a send: the Japanese text, the category and every variant. */
export interface TemplateSend {
  category: MessageCategory;
  subject: string;
  body: string;
  template: { id: number; slots: SlotValues; variants: FilledVariants };
}

const refusedTemplate = (key: string, params: Record<string, string | number> = {}, path = '') =>
  new ServiceError('invalid', key, params, {
    code: 'invalid_input',
    field: 'template',
    issues: [{ path: `template${path}`, message: key }],
  });

/**
 * The school a `{学校名}` slot names: the sender's own, or the one school the board's target
 * names, else the board (the district) itself.
 */
async function schoolNameFor(db: Db | Tx, scope: StaffScope, target: unknown): Promise<string> {
  const parsed = messageTargetSchema.safeParse(target);
  const one = (t: MessageTarget | undefined) =>
    t?.kind === 'grades'
      ? t.schoolId
      : t?.kind === 'schools' && t.schoolIds.length === 1
        ? t.schoolIds[0]
        : undefined;
  const schoolId = scope.role === 'board' ? one(parsed.data) : scope.schoolId;
  const school = schoolId === undefined ? undefined : await findParentSchool(db, schoolId);
  if (school && school.districtId === scope.districtId) return school.name;
  const district = (await listDistricts(db)).find((d) => d.id === scope.districtId);
  return district?.name ?? '';
}

/**
 * The template part of a send, or null when the input has no `template` (a free message).
 * @throws ServiceError naming the template or the refused slot; nothing is sent.
 */
export async function templateMessage(
  db: Db | Tx,
  scope: StaffScope,
  raw: unknown,
): Promise<TemplateSend | null> {
  const input = (raw ?? {}) as { template?: unknown; category?: unknown; target?: unknown };
  if (input.template === undefined) return null;
  const block = templateBlockSchema.safeParse(input.template);
  if (!block.success) throw refusedTemplate('templates.error.notFound');
  const template = await visibleTemplate(db, scope, block.data.id);
  if (!template) throw refusedTemplate('templates.error.notFound', {}, '.id');
  const values = block.data.slots;
  const [problem] = slotProblems(template.slots, values);
  if (problem) throw refusedTemplate(problem.key, problem.params, `.slots.${problem.slot}`);
  const slots: SlotValues = Object.fromEntries(
    Object.entries(values).map(([slot, value]) => [slot, String(value).trim()]),
  );
  for (const [slot, type] of Object.entries(template.slots)) {
    if (type === 'school') slots[slot] = await schoolNameFor(db, scope, input.target);
  }
  const variants = fillVariants(template.variants, template.slots, slots);
  const ja = variants.ja!;
  return {
    // 「区分」 of the template unless the sender chose another.
    category:
      input.category === undefined || input.category === ''
        ? template.category
        : (input.category as MessageCategory),
    subject: ja.subject,
    body: ja.body,
    template: { id: template.id, slots, variants },
  };
}
