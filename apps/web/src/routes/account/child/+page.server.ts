import { fail, redirect } from '@sveltejs/kit';
import type { MessageKey } from '$lib/i18n';
import { correctChild, loadChildCorrection, type ChildField } from '$lib/server/parents';
import { errorKey, field, requireParent } from '$lib/server/parents/pages';
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
    const result = await correctChild(locals.ctx, registrationId, values);
    if (result.ok) {
      const done: MessageKey = result.matched
        ? 'parent.correct.doneMatched'
        : 'parent.correct.doneUnmatched';
      return { done, values, errors: {} as Partial<Record<ChildField, MessageKey>> };
    }
    if (result.reason === 'gone') redirect(303, '/account/login');
    if (result.reason === 'matched') {
      return fail(409, {
        done: undefined,
        values,
        errors: {} as Partial<Record<ChildField, MessageKey>>,
      });
    }
    const errors: Partial<Record<ChildField, MessageKey>> = {};
    for (const [name, code] of Object.entries(result.errors)) {
      errors[name as ChildField] = errorKey(code);
    }
    return fail(400, { done: undefined, values, errors });
  },
};
