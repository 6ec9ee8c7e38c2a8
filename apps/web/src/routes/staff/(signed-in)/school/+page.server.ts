import { listDistrictSchools } from '@renraku/db';
import {
  importRoster,
  listRoster,
  previewRosterImport,
  type RosterImportOptions,
} from '$lib/server/roster';
import { requireStaff, requireSchoolAdmin } from '$lib/server/auth/guards';
import { actorOf, holdUpload, uploadedFile, type HoldOwner } from '$lib/server/staff-admin';
import { loaded, refused } from '$lib/server/refusal';
import type { Actions, PageServerLoad } from './$types';

// 学校管理 › 名簿: the school admin's roster with registration state, and the CSV import with
// its dry run. The board gets the school list (to each school's registration figures); the
// roster itself is the school's. Teachers are refused.

export const load: PageServerLoad = async ({ locals, url }) => {
  const staff = requireStaff(locals);
  const { db } = locals.ctx;
  if (staff.scope.role === 'board') {
    return {
      view: 'board' as const,
      schools: await listDistrictSchools(db, staff.scope.districtId),
    };
  }
  const scope = requireSchoolAdmin(staff.scope, locals.locale);
  const roster = await loaded(
    listRoster(db, actorOf(staff), { schoolId: scope.schoolId }),
    locals.locale,
  );
  const classes = roster.classes.map((cls) => {
    const students = roster.students.filter((s) => s.classId === cls.id);
    return { ...cls, students, registered: students.filter((s) => s.registered).length };
  });
  return {
    view: 'school' as const,
    schoolName: staff.schoolName ?? '',
    schoolYear: roster.schoolYear,
    classes,
    done: url.searchParams.get('done'),
  };
};

function optionsFrom(form: FormData): Required<RosterImportOptions> {
  return {
    createMissingClasses: form.get('createMissingClasses') === 'yes',
    skipInvalidRows: form.get('skipInvalidRows') === 'yes',
  };
}

function adminOf(locals: App.Locals) {
  const staff = requireStaff(locals);
  const scope = requireSchoolAdmin(staff.scope, locals.locale);
  const owner: HoldOwner = { staffUserId: staff.id, schoolId: scope.schoolId, purpose: 'roster' };
  return { actor: actorOf(staff), schoolId: scope.schoolId, owner };
}

export const actions: Actions = {
  /** The dry run: a new file, or the previewed one again with other options. Stores nothing. */
  preview: async ({ request, locals }) => {
    const { actor, schoolId, owner } = adminOf(locals);
    const { db, keys } = locals.ctx;
    const form = await request.formData();
    const options = optionsFrom(form);
    try {
      const file = await uploadedFile(form, keys, owner, { field: 'file', required: true });
      const preview = await previewRosterImport(db, actor, { schoolId, file, options });
      return { preview, held: holdUpload(keys, owner, file), options };
    } catch (caught) {
      return refused(caught, locals.locale);
    }
  },
  /** The confirmed import: exactly the previewed file (sealed), with the previewed options. */
  import: async ({ request, locals }) => {
    const { actor, schoolId, owner } = adminOf(locals);
    const { db, keys } = locals.ctx;
    const form = await request.formData();
    try {
      const file = await uploadedFile(form, keys, owner, { required: true });
      const result = await importRoster(db, actor, {
        schoolId,
        file,
        options: optionsFrom(form),
      });
      return { imported: { ...result.totals, matched: result.registrations.matched } };
    } catch (caught) {
      return refused(caught, locals.locale);
    }
  },
};
