import { error, redirect } from '@sveltejs/kit';
import type { WebContext } from '#server/context';
import { ServiceError } from '@renraku/shared';
import { PARENT_LOGIN_PATH } from '../auth/guards';
import { allowLinkPage, openRegisterLink, type RegisterLink } from '@renraku/core/parents';

// What the parents' loads and actions share: the signed-in parent, and the registration link
// behind /r/<token> with its per-address limit. A bad link is a 404 whose page (r/[token]/
// +error.svelte) explains, the same for every reason, to send the empty mail again.

/** The signed-in parent's registration; hooks.server.ts already sent everyone else to the login. */
export function requireParent(locals: App.Locals): number {
  if (!locals.parent) redirect(303, PARENT_LOGIN_PATH);
  return locals.parent.registrationId;
}

/** Link pages of one client address are counted (429 over the limit), then the link is opened. */
export async function requireRegisterLink(
  ctx: WebContext,
  rawToken: string,
  clientAddress: string,
): Promise<RegisterLink> {
  if (!(await allowLinkPage(ctx, clientAddress))) error(429, 'busy');
  const link = await openRegisterLink(ctx, rawToken);
  if (!link) error(404, 'link');
  return link;
}

/**
 * For a page's load: after one of its actions (the load runs again in the same POST) the link
 * may just have been used up by that action, which has already checked it, so nothing is
 * refused then; on a plain visit the link must be usable.
 */
export async function registerLinkForPage(
  ctx: WebContext,
  request: Request,
  rawToken: string,
  clientAddress: string,
): Promise<{ schoolName: string }> {
  if (request.method === 'POST') {
    return { schoolName: (await openRegisterLink(ctx, rawToken))?.school.name ?? '' };
  }
  const link = await requireRegisterLink(ctx, rawToken, clientAddress);
  return { schoolName: link.school.name };
}

/** A text form field, bounded: a megabyte of input is cut, never stored or echoed whole. */
export function field(form: FormData, name: string, max = 200): string {
  const value = form.get(name);
  return typeof value === 'string' ? value.slice(0, max) : '';
}

/**
 * A link used up or expired while its form was filled in is the link's 404 page, as a bad link
 * is; any other refusal is left to the form.
 */
export function linkGoneIsBadLink(caught: unknown): void {
  if (caught instanceof ServiceError && caught.kind === 'not_found') error(404, 'link');
}
