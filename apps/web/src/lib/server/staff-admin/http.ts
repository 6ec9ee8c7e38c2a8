import { jstFormat } from '@renraku/shared';
import type { StaffActor } from '../roster';
import type { StaffPrincipal } from '../auth/staff';

// The admin pages' glue between SvelteKit and the services: who acts, and the form's values.
// A service's refusal reaches the page through ../refusal.ts.

/** The acting staff member as the services take it: the id for the audit, the server's scope. */
export function actorOf(staff: StaffPrincipal): StaffActor {
  return { staffUserId: staff.id, scope: staff.scope };
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
