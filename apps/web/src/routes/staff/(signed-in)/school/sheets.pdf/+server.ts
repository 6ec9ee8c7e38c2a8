import { registrationSheetPdf } from '$lib/server/roster';
import { requireSchoolAdmin, requireStaff } from '$lib/server/auth/guards';
import { actorOf, sheetTargetFrom } from '$lib/server/staff-admin';
import { loaded } from '$lib/server/refusal';
import type { RequestHandler } from './$types';

/** The same sheets as the print page, as an A4 PDF for the school's printer or the web site. */
export const GET: RequestHandler = async ({ locals, url }) => {
  const staff = requireStaff(locals);
  const schoolId = requireSchoolAdmin(staff.scope, locals.locale).schoolId;
  const pdf = await loaded(
    registrationSheetPdf(locals.ctx.db, actorOf(staff), {
      schoolId,
      target: sheetTargetFrom(url.searchParams),
      publicUrl: locals.ctx.env.publicUrl,
    }),
    locals.locale,
  );
  return new Response(new Uint8Array(pdf), {
    headers: {
      'content-type': 'application/pdf',
      'content-disposition': 'attachment; filename="registration-sheets.pdf"',
      // The auth code is printed on it: no shared cache may keep a copy.
      'cache-control': 'private, no-store',
    },
  });
};
