import { requestPasswordReset } from '$lib/server/parents';
import { field } from '$lib/server/parents/pages';
import type { Actions } from './$types';

export const actions: Actions = {
  // The same answer whether or not the ID exists (the mails go out after it).
  request: async ({ locals, request, getClientAddress }) => {
    const form = await request.formData();
    await requestPasswordReset(locals.ctx, field(form, 'loginId', 100), getClientAddress());
    return { sent: true };
  },
};
