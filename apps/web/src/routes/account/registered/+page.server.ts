import { redirect } from '@sveltejs/kit';
import { loadAccount, rosterStandingOf } from '$lib/server/parents';
import { requireParent } from '$lib/server/parents/pages';
import type { PageServerLoad } from './$types';

// Leaflet ⑤: the page after a new registration (its session began with it).
export const load: PageServerLoad = async ({ locals }) => {
  const loaded = await loadAccount(locals.ctx, requireParent(locals));
  if (!loaded) redirect(303, '/account/login');
  return { account: loaded.account, standing: await rosterStandingOf(locals.ctx, loaded.account) };
};
