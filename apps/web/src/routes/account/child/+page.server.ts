import { redirect } from '@sveltejs/kit';
import { ServiceError } from '@renraku/shared';
import type { MessageKey } from '$lib/i18n';
import { correctChild, loadChildCorrection, type ChildField } from '$lib/server/parents';
import { field, requireParent } from '$lib/server/parents/pages';
import { refusedFields } from '$lib/server/refusal';
import type { Actions, PageServerLoad } from './$types';

// 学年・クラス・氏名の修正: the parent puts right a registration the roster does not know yet.

export const load: PageServerLoad = async ({ locals }) => {
  const loaded = await loadChildCorrection(locals.ctx, requireParent(locals));
  if (!loaded) redirect(303, '/account/login');
  const { account, choices, standing } = loaded;
  return {
    standing,
    choices,
    child: {
      childName: account.childName,
      childKana: account.childKana,
      grade: String(account.grade),
      classId: String(account.classId),
      schoolName: account.schoolName,
      className: account.className,
    },
  };
};

export const actions: Actions = {
  correct: async ({ locals, request }) => {
    const registrationId = requireParent(locals);
    const form = await request.formData();
    const values = {
      grade: field(form, 'grade', 10),
      classId: field(form, 'classId', 20),
      childName: field(form, 'childName', 200),
      childKana: field(form, 'childKana', 200),
    };
    let matched;
    try {
      ({ matched } = await correctChild(locals.ctx, registrationId, values));
    } catch (caught) {
      // Withdrawn meanwhile (another device): the session has nothing left to show.
      if (caught instanceof ServiceError && caught.kind === 'not_found') {
        redirect(303, '/account/login');
      }
      // A child the roster now knows gets no field error: the page shows the roster's class.
      return refusedFields(caught, locals.locale, { done: undefined, values });
    }
    const done: MessageKey = matched
      ? 'parent.correct.doneMatched'
      : 'parent.correct.doneUnmatched';
    return { done, values, errors: {} as Partial<Record<ChildField, string>> };
  },
};
