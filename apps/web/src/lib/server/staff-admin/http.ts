import { error, fail, type ActionFailure } from '@sveltejs/kit';
import { jstFormat } from '@renraku/shared';
import { RosterError, type StaffActor } from '../roster';
import type { StaffPrincipal } from '../auth/staff';

// The admin pages' glue between SvelteKit and the services: who acts, and how a service's
// refusal (RosterError, with a Japanese message for the school office) reaches the page.

/** The acting staff member as the services take it: the id for the audit, the server's scope. */
export function actorOf(staff: StaffPrincipal): StaffActor {
  return { staffUserId: staff.id, scope: staff.scope };
}

/** A load's data, or the service's refusal as the error page with its status. */
export async function loaded<T>(work: Promise<T>): Promise<T> {
  try {
    return await work;
  } catch (caught) {
    if (caught instanceof RosterError) error(caught.status, caught.message);
    throw caught;
  }
}

/**
 * An action's refusal: the form comes back with the service's message (and `kept`, what the
 * form should show again, never a password); anything else is a 500.
 */
export function refused<Kept extends object = object>(
  caught: unknown,
  kept?: Kept,
): ActionFailure<Kept & { error: string }> {
  if (caught instanceof RosterError) {
    return fail(caught.status, { ...(kept as Kept), error: caught.message });
  }
  throw caught;
}

/** A positive integer id from a form field or query parameter, else undefined. */
export function idFrom(value: FormDataEntryValue | string | null | undefined): number | undefined {
  if (typeof value !== 'string' || !/^[1-9][0-9]{0,9}$/.test(value)) return undefined;
  const id = Number(value);
  return id <= 2_147_483_647 ? id : undefined;
}

/** A text field's value ('' when missing or a file). */
export function textFrom(value: FormDataEntryValue | null): string {
  return typeof value === 'string' ? value : '';
}

const JST = jstFormat({ dateStyle: 'medium', timeStyle: 'short' });

/** Times as the school's clock shows them, whatever the server's time zone. */
export function jstText(date: Date): string {
  return JST.format(date);
}
