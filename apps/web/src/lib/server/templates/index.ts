import { templatesFor, visibleTemplate, type MessageTemplate } from '@renraku/core/templates';
import { TEMPLATE_LANGUAGES, type SlotType, type TemplateLanguage } from '@renraku/shared';
import type { WebContext } from '#server/context';
import type { StaffPrincipal } from '../auth/staff';
import { idFrom } from '../staff-admin/http';

// The compose page's template step: what the <select> offers and the template picked with
// ?template=id (a GET, so it works without JavaScript and changes nothing).

/** A template as the compose page fills it: its slots and which languages it carries. */
export interface ComposeTemplate {
  id: number;
  name: string;
  category: MessageTemplate['category'];
  slots: [string, SlotType][];
  languages: TemplateLanguage[];
}

/** The languages a template carries, in the catalogue's order (Japanese first). */
export function languagesOf(template: Pick<MessageTemplate, 'variants'>): TemplateLanguage[] {
  return TEMPLATE_LANGUAGES.filter((language) => template.variants[language] !== undefined);
}

/** The templates staff may pick, and the one ?template= names (null when none or not theirs). */
export async function composeTemplates(
  ctx: WebContext,
  staff: StaffPrincipal,
  chosen: string | null,
): Promise<{ templates: { id: number; name: string }[]; template: ComposeTemplate | null }> {
  const templates = await templatesFor(ctx, staff);
  const id = idFrom(chosen);
  const template = id === undefined ? null : await visibleTemplate(ctx.db, staff.scope, id);
  return {
    templates: templates.map(({ id, name, schoolName }) => ({
      id,
      name: schoolName ? `${name}（${schoolName}）` : name,
    })),
    template: template && {
      id: template.id,
      name: template.name,
      category: template.category,
      slots: Object.entries(template.slots),
      languages: languagesOf(template),
    },
  };
}

/** The template form as posted (and shown again): slots one `name=type` a line. */
export interface TemplateFormValues {
  name: string;
  category: string;
  slots: string;
  variants: Record<TemplateLanguage, { subject: string; body: string }>;
}

/** Every field of a posted template form; the service checks them. */
export function templateFormValuesFrom(form: FormData): TemplateFormValues {
  const text = (name: string) => {
    const value = form.get(name);
    return typeof value === 'string' ? value : '';
  };
  const variants = Object.fromEntries(
    TEMPLATE_LANGUAGES.map((language) => [
      language,
      { subject: text(`subject.${language}`), body: text(`body.${language}`) },
    ]),
  ) as TemplateFormValues['variants'];
  return { name: text('name'), category: text('category'), slots: text('slots'), variants };
}

/** The form's values of a stored template, for editing it. */
export function templateFormValuesOf(template: MessageTemplate): TemplateFormValues {
  const variants = Object.fromEntries(
    TEMPLATE_LANGUAGES.map((language) => [
      language,
      template.variants[language] ?? { subject: '', body: '' },
    ]),
  ) as TemplateFormValues['variants'];
  return {
    name: template.name,
    category: template.category,
    slots: Object.entries(template.slots)
      .map(([slot, type]) => `${slot}=${type}`)
      .join('\n'),
    variants,
  };
}

/** The service's input of the form: the slot lines as a map (a line without "=" has no type). */
export function templateInputOf(values: TemplateFormValues): unknown {
  const slots = Object.fromEntries(
    values.slots
      .split(/\r?\n/)
      .filter((line) => line.trim() !== '')
      .map((line) => {
        const at = line.indexOf('=');
        return at < 0 ? [line.trim(), ''] : [line.slice(0, at).trim(), line.slice(at + 1).trim()];
      }),
  );
  return { name: values.name, category: values.category, slots, variants: values.variants };
}
