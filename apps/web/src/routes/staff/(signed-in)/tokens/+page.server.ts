import { requireStaff } from '$lib/server/auth/guards';
import {
  actorOf,
  createOwnApiToken,
  idFrom,
  jstText,
  ownApiTokens,
  revokeOwnApiToken,
  textFrom,
} from '$lib/server/staff-admin';
import { refused } from '$lib/server/refusal';
import type { Actions, PageServerLoad } from './$types';

// APIトークン: each staff member's own tokens. The new token is in the create action's answer
// only (shown once, never stored or loaded again).

export const load: PageServerLoad = async ({ locals }) => {
  const staff = requireStaff(locals);
  const tokens = await ownApiTokens(locals.ctx.db, actorOf(staff));
  return {
    tokens: tokens.map((token) => ({
      ...token,
      createdAt: jstText(token.createdAt),
      lastUsedAt: token.lastUsedAt && jstText(token.lastUsedAt),
      revokedAt: token.revokedAt && jstText(token.revokedAt),
    })),
  };
};

export const actions: Actions = {
  create: async ({ request, locals }) => {
    const staff = requireStaff(locals);
    const name = textFrom((await request.formData()).get('name'));
    try {
      const created = await createOwnApiToken(locals.ctx.db, actorOf(staff), { name });
      return { created: { name: created.name, token: created.token } };
    } catch (caught) {
      return refused(caught, locals.locale, { name: name.slice(0, 100) });
    }
  },
  revoke: async ({ request, locals }) => {
    const staff = requireStaff(locals);
    const tokenId = idFrom((await request.formData()).get('tokenId')) ?? 0;
    try {
      await revokeOwnApiToken(locals.ctx.db, actorOf(staff), { tokenId });
      return { revoked: true };
    } catch (caught) {
      return refused(caught, locals.locale);
    }
  },
};
