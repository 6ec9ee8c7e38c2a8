import {
  deleteTemplate as deleteTemplateRow,
  insertSeedTemplates,
  insertTemplate,
  listTemplates,
  recordAuditEvent,
  updateTemplate,
  type Db,
  type MessageTemplate,
  type TemplateFields,
  type Tx,
} from '@renraku/db';
import {
  BODY_MAX,
  MESSAGE_CATEGORIES,
  SEED_TEMPLATES,
  ServiceError,
  SUBJECT_MAX,
  TEMPLATE_LANGUAGES,
  templateProblems,
  type StaffScope,
  type TemplateLanguage,
  type TemplateText,
} from '@renraku/shared';
import { z } from 'zod';
import type { ActingStaff } from '../acting-staff';
import type { CoreContext } from '../context';
import { visibleTemplate } from './visible';

// 定型文 (/staff/templates): the board keeps the district's catalogue, a school admin their
// school's own, teachers only read. Every template is checked whole before it is stored: a
// translation that lost a slot would send a notice that never says when or where.

export type { MessageTemplate };
export { templateMessage, type TemplateSend } from './compose';
export { visibleTemplate } from './visible';

/** What the template form (or a caller) hands over; checked here, never trusted. */
const templateInputSchema = z.object({
  name: z.string(),
  category: z.enum(MESSAGE_CATEGORIES),
  slots: z.record(z.string(), z.string()),
  variants: z.partialRecord(
    z.enum(TEMPLATE_LANGUAGES),
    z.object({ subject: z.string(), body: z.string() }),
  ),
});

/** Whether the scope may change templates at this place (null: the district's catalogue). */
function mayEdit(scope: StaffScope, schoolId: number | null): boolean {
  if (scope.role === 'board') return schoolId === null;
  return scope.role === 'school_admin' && schoolId === scope.schoolId;
}

/** The school of the templates the scope keeps: null for the board, its own for an admin. */
function ownPlace(scope: StaffScope): number | null {
  if (scope.role === 'board') return null;
  if (scope.role === 'school_admin') return scope.schoolId;
  throw new ServiceError('forbidden', 'templates.error.forbidden');
}

/** The templates the scope may pick: the district's, and its school's (the board: all). */
export function templatesFor(
  ctx: Pick<CoreContext, 'db'>,
  staff: Pick<ActingStaff, 'scope'>,
): Promise<MessageTemplate[]> {
  const { scope } = staff;
  return listTemplates(ctx.db, {
    districtId: scope.districtId,
    ...(scope.role === 'board' ? {} : { schoolId: scope.schoolId }),
  });
}

/** Whether the staff member may change this template (the page shows its buttons by it). */
export function mayEditTemplate(
  staff: Pick<ActingStaff, 'scope'>,
  template: Pick<MessageTemplate, 'schoolId'>,
): boolean {
  return mayEdit(staff.scope, template.schoolId);
}

/**
 * A template the scope may change; another school's is as absent as none.
 * @throws ServiceError
 */
async function editableTemplate(
  db: Db | Tx,
  scope: StaffScope,
  templateId: number,
): Promise<MessageTemplate> {
  const existing = await visibleTemplate(db, scope, templateId);
  if (!existing) throw new ServiceError('not_found', 'templates.error.notFound');
  if (!mayEdit(scope, existing.schoolId)) {
    throw new ServiceError('forbidden', 'templates.error.forbidden');
  }
  return existing;
}

/** Trimmed fields, only the languages that have text, checked whole. @throws ServiceError */
function checkedFields(raw: unknown): TemplateFields {
  const parsed = templateInputSchema.safeParse(raw);
  if (!parsed.success) throw new ServiceError('invalid', 'templates.error.required');
  const { name, category } = parsed.data;
  const slots = Object.fromEntries(
    Object.entries(parsed.data.slots).map(([slot, type]) => [slot.trim(), type]),
  );
  const variants: Partial<Record<TemplateLanguage, TemplateText>> = {};
  for (const language of TEMPLATE_LANGUAGES) {
    const variant = parsed.data.variants[language];
    const subject = variant?.subject.trim() ?? '';
    const body = variant?.body.replace(/\r\n?/g, '\n').trim() ?? '';
    // A translation left empty is one the template does not carry (Japanese: refused below).
    if (subject !== '' || body !== '') variants[language] = { subject, body };
  }
  const fields = { name: name.trim(), slots, variants };
  const problems = templateProblems(fields, { subject: SUBJECT_MAX, body: BODY_MAX });
  if (problems.length > 0) {
    const [first] = problems;
    throw new ServiceError('invalid', first!.key, first!.params, {
      code: 'invalid_input',
      fields: Object.fromEntries(
        problems.map((problem) => [problem.field, { key: problem.key, params: problem.params }]),
      ),
      issues: problems.map((problem) => ({ path: problem.field, message: problem.key })),
    });
  }
  return { ...fields, category, slots: slots as TemplateFields['slots'] };
}

/**
 * Creates a template in the staff member's place (the board: the district's catalogue; a
 * school admin: their school's), or changes one they may edit; audited. Nothing is stored when
 * any part is refused.
 * @throws ServiceError
 */
export async function saveTemplate(
  ctx: Pick<CoreContext, 'db'>,
  staff: Pick<ActingStaff, 'id' | 'scope'>,
  raw: unknown,
  templateId: number | null = null,
): Promise<number> {
  const { scope } = staff;
  const schoolId = ownPlace(scope);
  const fields = checkedFields(raw);
  return ctx.db.transaction(async (tx) => {
    let id: number;
    if (templateId === null) {
      id = await insertTemplate(tx, { districtId: scope.districtId, schoolId }, fields);
    } else {
      await editableTemplate(tx, scope, templateId);
      await updateTemplate(tx, scope.districtId, templateId, fields);
      id = templateId;
    }
    await recordAuditEvent(tx, {
      districtId: scope.districtId,
      schoolId,
      actorType: 'staff',
      actorId: staff.id,
      action: templateId === null ? 'template.create' : 'template.update',
      subjectType: 'message_template',
      subjectId: String(id),
      detail: { name: fields.name, languages: Object.keys(fields.variants) },
    });
    return id;
  });
}

/** Deletes a template the staff member may edit; sent messages keep their text. @throws ServiceError */
export async function removeTemplate(
  ctx: Pick<CoreContext, 'db'>,
  staff: Pick<ActingStaff, 'id' | 'scope'>,
  templateId: number,
): Promise<void> {
  const { scope } = staff;
  await ctx.db.transaction(async (tx) => {
    const existing = await editableTemplate(tx, scope, templateId);
    await deleteTemplateRow(tx, scope.districtId, templateId);
    await recordAuditEvent(tx, {
      districtId: scope.districtId,
      schoolId: existing.schoolId,
      actorType: 'staff',
      actorId: staff.id,
      action: 'template.delete',
      subjectType: 'message_template',
      subjectId: String(templateId),
      detail: { name: existing.name },
    });
  });
}

/**
 * Installs the seed catalogue's templates the district lacks (by key), so it can run again
 * after an update of the catalogue without touching what the board edited; audited when it
 * added any. Returns how many were added.
 */
export async function installSeedTemplates(
  ctx: Pick<CoreContext, 'db'>,
  districtId: number,
): Promise<number> {
  return ctx.db.transaction(async (tx) => {
    const added = await insertSeedTemplates(tx, districtId, SEED_TEMPLATES);
    if (added > 0) {
      await recordAuditEvent(tx, {
        districtId,
        actorType: 'system',
        action: 'template.seed',
        subjectType: 'district',
        subjectId: String(districtId),
        detail: { added },
      });
    }
    return added;
  });
}
