import { error, fail, json, type ActionFailure } from '@sveltejs/kit';
import { ServiceError, type FieldRefusal } from '@renraku/shared';
import { ja } from '../i18n/ja';
import { t, type Locale, type MessageKey } from '../i18n';

// Where a service's refusal (ServiceError) meets a door: the form, the error page or the
// API's JSON, worded in the request's language. Anything else is not a refusal and a 500.

function isMessageKey(key: string): key is MessageKey {
  return Object.hasOwn(ja, key);
}

/** The refusal's message in `locale`; a key the dictionaries lack reads as a generic refusal. */
export function refusalText(refusal: FieldRefusal, locale: Locale): string {
  return isMessageKey(refusal.key)
    ? t(locale, refusal.key, refusal.params)
    : t(locale, 'refusal.unknown');
}

/**
 * A form action's refusal: the form comes back with the message (and `kept`, what the form
 * should show again, never a password).
 */
export function refused<Kept extends object = object>(
  caught: unknown,
  locale: Locale,
  kept?: Kept,
): ActionFailure<Kept & { error: string; field?: string }> {
  if (!(caught instanceof ServiceError)) throw caught;
  return fail(caught.status, {
    ...(kept as Kept),
    error: refusalText(caught, locale),
    ...(caught.field === undefined ? {} : { field: caught.field }),
  });
}

/**
 * A form action's refusal that marks each refused field: `errors` maps a field to its message
 * (and `kept`, what the form should show again).
 */
export function refusedFields<Kept extends object = object>(
  caught: unknown,
  locale: Locale,
  kept?: Kept,
): ActionFailure<Kept & { errors: Record<string, string> }> {
  if (!(caught instanceof ServiceError)) throw caught;
  return fail(caught.status, { ...(kept as Kept), errors: fieldTexts(caught, locale) });
}

function fieldTexts(refusal: ServiceError, locale: Locale): Record<string, string> {
  return Object.fromEntries(
    Object.entries(refusal.fields).map(([field, problem]) => [field, refusalText(problem, locale)]),
  );
}

/** A load's data, or the service's refusal as the error page with its status. */
export async function loaded<T>(work: Promise<T>, locale: Locale): Promise<T> {
  try {
    return await work;
  } catch (caught) {
    if (caught instanceof ServiceError) error(caught.status, refusalText(caught, locale));
    throw caught;
  }
}

/**
 * An /api/v1 refusal: the status and `{ error: code, key, message, field?, issues? }`, the
 * issues being the schema's when it has them, else each refused field with its message.
 */
export function refusedJson(caught: unknown, locale: Locale): Response {
  if (!(caught instanceof ServiceError)) throw caught;
  const { code: error, key, field } = caught;
  const message = refusalText(caught, locale);
  const texts = Object.entries(fieldTexts(caught, locale));
  const issues = caught.issues ?? texts.map(([path, text]) => ({ path, message: text }));
  return json(
    {
      error,
      key,
      message,
      ...(field === undefined ? {} : { field }),
      ...(issues.length === 0 ? {} : { issues }),
    },
    { status: caught.status },
  );
}
