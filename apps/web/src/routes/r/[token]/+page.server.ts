import { registerLinkForPage } from '$lib/server/parents/pages';
import type { PageServerLoad } from './$types';

export const load: PageServerLoad = ({ locals, params, request, getClientAddress }) =>
  registerLinkForPage(locals.ctx, request, params.token, getClientAddress());
