import { error, fail, json, type ActionFailure } from '@sveltejs/kit';
import { ServiceError } from '@renraku/shared';
import { ja } from '../i18n/ja';
import { t, type Locale, type MessageKey } from '../i18n';

// Where a service's refusal (ServiceError) meets a door: the form, the error page or the
// API's JSON, worded in the request's language. Anything else is not a refusal and a 500.

function isMessageKey(key: string): key is MessageKey {
  return Object.hasOwn(ja, key);
}

/** The refusal's message in `locale`; a key the dictionaries lack reads as a generic refusal. */
export function refusalText(refusal: ServiceError, locale: Locale): string {
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

/** A load's data, or the service's refusal as the error page with its status. */
export async function loaded<T>(work: Promise<T>, locale: Locale): Promise<T> {
  try {
    return await work;
  } catch (caught) {
    if (caught instanceof ServiceError) error(caught.status, refusalText(caught, locale));
    throw caught;
  }
}

/** An /api/v1 refusal: the status and `{ error: kind, key, message, field? }`. */
export function refusedJson(caught: unknown, locale: Locale): Response {
  if (!(caught instanceof ServiceError)) throw caught;
  const { kind: error, key, field } = caught;
  const message = refusalText(caught, locale);
  return json(
    { error, key, message, ...(field === undefined ? {} : { field }) },
    {
      status: caught.status,
    },
  );
}
