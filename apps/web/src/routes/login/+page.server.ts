import { redirect } from '@sveltejs/kit';
import type { PageServerLoad } from './$types';

// The registration sheet's lower QR code points here: it is the parents' login page.
export const load: PageServerLoad = () => {
  redirect(303, '/account/login');
};
