import { error, fail, redirect } from '@sveltejs/kit';
import { t, type MessageKey } from '$lib/i18n';
import { beginSession } from '$lib/server/auth/cookies';
import {
  checkAuthCode,
  completeRegistration,
  parentErrorKey,
  registrationChoices,
  verifyGrant,
  type RegistrationField,
} from '$lib/server/parents';
import {
  field,
  linkGoneIsBadLink,
  registerLinkForPage,
  requireRegisterLink,
} from '$lib/server/parents/pages';
import { refused } from '$lib/server/refusal';
import type { Actions, PageServerLoad } from './$types';

// Leaflet ③④: the auth code, then the details. Each step is a plain form post; the second
// carries the signed grant the first returned, so the page works without JavaScript.

export const load: PageServerLoad = ({ locals, params, request, getClientAddress, setHeaders }) => {
  // The re-rendered details form may hold the parent's own accepted password: never cached.
  setHeaders({ 'cache-control': 'no-store' });
  return registerLinkForPage(locals.ctx, request, params.token, getClientAddress());
};

export const actions: Actions = {
  code: async ({ locals, params, request, getClientAddress }) => {
    const { ctx } = locals;
    const link = await requireRegisterLink(ctx, params.token, getClientAddress());
    const form = await request.formData();
    let result;
    try {
      result = await checkAuthCode(ctx, link, field(form, 'authCode', 100), getClientAddress());
    } catch (caught) {
      return refused(caught, locals.locale, { step: 'code' as const });
    }
    if (!result.ok) {
      const error = t(locals.locale, 'parent.code.locked', { minutes: result.minutes });
      return fail(429, { step: 'code' as const, error });
    }
    const scope = verifyGrant(ctx, link, result.grant);
    if (!scope) error(500, 'grant');
    return {
      step: 'details' as const,
      grant: result.grant,
      choices: await registrationChoices(ctx, link, scope),
      values: {} as Partial<Record<RegistrationField, string>>,
      errors: {} as Partial<Record<RegistrationField, MessageKey>>,
      suggestions: [] as string[],
      unmatched: false,
      confirmUnmatched: false,
      limitedMinutes: 0,
    };
  },

  register: async ({ locals, params, request, cookies, getClientAddress }) => {
    const { ctx } = locals;
    const link = await requireRegisterLink(ctx, params.token, getClientAddress());
    const form = await request.formData();
    const grant = field(form, 'grant', 200);
    const scope = verifyGrant(ctx, link, grant);
    if (!scope) {
      return fail(400, { step: 'code' as const, error: t(locals.locale, 'parent.code.wrong') });
    }
    const values = {
      loginId: field(form, 'loginId', 100),
      password: field(form, 'password', 200),
      childName: field(form, 'childName', 200),
      childKana: field(form, 'childKana', 200),
      grade: field(form, 'grade', 10),
      classId: field(form, 'classId', 20),
      language: field(form, 'language', 20),
    };
    const confirmUnmatched = form.get('confirmUnmatched') === 'yes';
    let result;
    try {
      result = await completeRegistration(ctx, link, scope, values, {
        confirmUnmatched,
        clientAddress: getClientAddress(),
      });
    } catch (caught) {
      linkGoneIsBadLink(caught);
      throw caught;
    }
    if (result.ok && result.outcome === 'created') {
      await beginSession(
        cookies,
        ctx,
        { kind: 'parent', registrationId: result.registrationId },
        new Date(),
      );
      redirect(303, '/account/registered');
    }
    if (result.ok) return { step: 'already' as const, loginId: result.loginId };
    // Keys, not texts: the refused form is a state of the flow the page words (the form's
    // data is in the page once more for hydration, and a text would be there twice).
    const errors: Partial<Record<RegistrationField, MessageKey>> = {};
    for (const [name, code] of Object.entries(result.errors)) {
      errors[name as RegistrationField] = parentErrorKey(code);
    }
    return fail(result.limitedMinutes === undefined ? 400 : 429, {
      step: 'details' as const,
      grant,
      choices: await registrationChoices(ctx, link, scope),
      // An accepted password goes back into the parent's own form (the page is no-store), so an
      // error elsewhere does not make them type it again; a refused one is never sent back.
      values: { ...values, password: errors.password ? '' : values.password },
      errors,
      suggestions: result.suggestions,
      unmatched: result.unmatched,
      confirmUnmatched,
      limitedMinutes: result.limitedMinutes ?? 0,
    });
  },
};
