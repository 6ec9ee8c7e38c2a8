import {
  consumeToken,
  findClassRegistrationsWithAddress,
  insertParentRegistration,
  insertRegistrationAddress,
  recordAuditEvent,
  takenLoginIds,
} from '@renraku/db';
import { checkKana, checkName, isTemplateLanguage, kanaMatchKey } from '@renraku/shared';
import { blindIndexCandidates, decryptAddress } from '@renraku/shared/crypto';
import { hashPassword } from '@renraku/shared/password';
import type { ParentsContext } from './context';
import { childKeysOf, loadSchoolRoster, matchInClass, matchRegistrations } from '../roster';
import type { CodeScope, RegisterLink } from './links';
import { checkClassChoice, LINK_LIMITS, registrationChoices } from './links';
import { hitLimits } from './limits';
import { sendCompletionMail } from './mails';
import {
  checkLoginId,
  checkNewPassword,
  linkGone,
  loginIdCandidates,
  type ParentErrorCode,
} from './policy';

// Step ④⑤ of the leaflet: the details form becomes a registration with its first address, in
// one transaction with the link's use, and the completion mail goes out.

/** The details form, as posted (PRODUCT.md §4 field names). */
export interface RegistrationForm {
  loginId: string;
  password: string;
  childName: string;
  childKana: string;
  grade: string;
  classId: string;
  /** The language the parent reads template messages in; absent or empty is Japanese. */
  language?: string;
}

export type RegistrationField = keyof RegistrationForm;

/** What the page adds to the form: the parent's answers to what the form asked back. */
export interface RegistrationOptions {
  /** The parent saw that no roster child matches and registers as entered all the same. */
  confirmUnmatched: boolean;
  /** For the per-address limit on taken-ID answers. */
  clientAddress: string;
}

// A refused registration form stays a result: besides each field's error it carries the free
// login IDs to offer, the roster's "not in this class" question and the probe budget, a state
// of the flow the page renders. Only a link gone meanwhile is a refusal (ServiceError).
export type RegistrationResult =
  | { ok: true; outcome: 'created'; registrationId: number; loginId: string; matched: boolean }
  /** The same address, class and kana were registered before: nothing new, the mail again. */
  | { ok: true; outcome: 'already'; loginId: string }
  | {
      ok: false;
      errors: Partial<Record<RegistrationField, ParentErrorCode>>;
      /** Free login IDs to offer when the chosen one is taken. */
      suggestions: string[];
      /**
       * The school's roster has no child of this name and kana in the chosen class (and the
       * parent has not confirmed it): the page asks to check grade, class and name, or to
       * register as entered (confirmUnmatched).
       */
      unmatched: boolean;
      /** Answers about others (taken IDs, the roster) ran out; minutes until they come back. */
      limitedMinutes?: number;
    };

class LoginIdTakenMeanwhile extends Error {}

/** The first number in a class name (「2組」 → 2), for login ID suggestions. */
function classNumberOf(name: string): number | null {
  const digits = /\d+/.exec(name.normalize('NFKC'))?.[0];
  return digits === undefined ? null : Number(digits);
}

/**
 * Validates every field and answers every problem in one round trip: format errors, a taken
 * login ID (with suggestions) and a child the roster does not know, together. Then registers.
 * A repeated registration (the leaflet tells parents to register again when no completion
 * mail came) is recognised by the same address already on a registration of the same class
 * with the same kana: then nothing is created, the link is used up and the completion mail is
 * sent again with the existing ID.
 * @throws ServiceError (not_found: the link was used or expired meanwhile)
 */
export async function completeRegistration(
  ctx: ParentsContext,
  link: RegisterLink,
  scope: CodeScope,
  form: RegistrationForm,
  options: RegistrationOptions,
): Promise<RegistrationResult> {
  const errors: Partial<Record<RegistrationField, ParentErrorCode>> = {};
  const loginId = checkLoginId(form.loginId);
  if (!loginId.ok) errors.loginId = loginId.code;
  const password = checkNewPassword(form.password, loginId.ok ? loginId.value : form.loginId);
  if (!password.ok) errors.password = password.code;
  const childName = checkName(form.childName);
  if (!childName.ok) errors.childName = childName.code;
  const childKana = checkKana(form.childKana);
  if (!childKana.ok) errors.childKana = childKana.code;
  const language = form.language || 'ja';
  if (!isTemplateLanguage(language)) errors.language = 'language_invalid';

  const choices = await registrationChoices(ctx, link, scope);
  const classChoice = checkClassChoice(choices, form.grade, form.classId);
  if (!classChoice.ok) errors[classChoice.field] = classChoice.code;
  const chosenClass = classChoice.ok ? classChoice.chosen : undefined;

  const { token, school } = link;
  const address = decryptAddress(ctx.keys, token.addressCiphertext!);
  const mailFields = chosenClass && {
    schoolName: school.name,
    grade: chosenClass.grade,
    className: chosenClass.name,
  };

  const formatOk = loginId.ok && password.ok && childName.ok && childKana.ok && chosenClass;
  if (formatOk && mailFields && childKana.ok) {
    const earlier = (
      await findClassRegistrationsWithAddress(ctx.db, {
        classId: chosenClass.id,
        blindIndexes: blindIndexCandidates(ctx.keys, address),
      })
    ).find((row) => kanaMatchKey(row.childKana) === kanaMatchKey(childKana.value));
    if (earlier) {
      if (!(await consumeToken(ctx.db, token.id))) throw linkGone();
      await sendCompletionMail(ctx, address, { loginId: earlier.loginId, ...mailFields });
      return { ok: true, outcome: 'already', loginId: earlier.loginId };
    }
  }

  // What the form tells about others, a taken login ID and whether the roster has a child of
  // this name in the class, is answered within one budget counted like failed logins: a
  // refused form that had such an answer keeps its count; over the limit nothing is looked up.
  const rosterAsked = chosenClass !== undefined && childName.ok && childKana.ok;
  const limits =
    loginId.ok || rosterAsked ? await hitProbeLimits(ctx, link, options.clientAddress) : undefined;
  if (limits && !limits.allowed) {
    return { ok: false, errors, suggestions: [], unmatched: false, limitedMinutes: limits.minutes };
  }

  // Whether the roster knows the child: asked only of a school that has a roster at all.
  let unmatched = false;
  let studentMatched = false;
  if (rosterAsked && childName.ok && childKana.ok) {
    const roster = await loadSchoolRoster(ctx.db, school.id);
    const child = childKeysOf({ childName: childName.value, childKana: childKana.value });
    studentMatched = matchInClass(roster, chosenClass.id, child) !== undefined;
    // Once the parent confirmed, the roster is not told again (nor counted).
    unmatched = !studentMatched && roster.enrolled.size > 0 && !options.confirmUnmatched;
  }

  // Free alternatives to a taken ID, as the leaflet advises: the year of entry, the class.
  const suggestionsFor = async (taken: string, child: { grade: number; name: string }) => {
    const candidates = loginIdCandidates(taken, {
      entryYear: choices.schoolYear - child.grade + 1,
      grade: child.grade,
      classNumber: classNumberOf(child.name),
    });
    const used = await takenLoginIds(ctx.db, school.districtId, candidates);
    return candidates.filter((candidate) => !used.has(candidate)).slice(0, 3);
  };
  let suggestions: string[] = [];
  const taken =
    loginId.ok && (await takenLoginIds(ctx.db, school.districtId, [loginId.value])).size > 0;
  if (loginId.ok && taken) {
    errors.loginId = 'loginId_taken';
    suggestions = chosenClass ? await suggestionsFor(loginId.value, chosenClass) : [];
  }

  if (
    !loginId.ok ||
    !password.ok ||
    !childName.ok ||
    !childKana.ok ||
    !chosenClass ||
    !mailFields ||
    !isTemplateLanguage(language) ||
    errors.loginId !== undefined ||
    unmatched
  ) {
    if (!taken && !unmatched) await limits?.refund();
    return { ok: false, errors, suggestions, unmatched };
  }

  const passwordHash = await hashPassword(password.value);
  let registrationId: number;
  try {
    const created = await ctx.db.transaction(async (tx) => {
      if (!(await consumeToken(tx, token.id))) return undefined;
      const id = await insertParentRegistration(tx, {
        districtId: school.districtId,
        schoolId: school.id,
        classId: chosenClass.id,
        loginId: loginId.value,
        passwordHash,
        childName: childName.value,
        childKana: childKana.value,
        language,
      });
      if (id === undefined) throw new LoginIdTakenMeanwhile();
      await insertRegistrationAddress(tx, {
        districtId: school.districtId,
        registrationId: id,
        position: 1,
        role: 'guardian',
        ciphertext: token.addressCiphertext!,
        blindIndex: token.blindIndex!,
        carrierDomain: token.carrierDomain ?? '',
      });
      await matchRegistrations(tx, school.id);
      await recordAuditEvent(tx, {
        districtId: school.districtId,
        schoolId: school.id,
        actorType: 'parent',
        actorId: id,
        action: 'parent.register',
        subjectType: 'registration',
        subjectId: String(id),
        detail: { schoolId: school.id, classId: chosenClass.id, matched: studentMatched },
      });
      return id;
    });
    if (created === undefined) throw linkGone();
    registrationId = created;
  } catch (error) {
    if (error instanceof LoginIdTakenMeanwhile) {
      return {
        ok: false,
        errors: { loginId: 'loginId_taken' },
        suggestions: await suggestionsFor(loginId.value, chosenClass),
        unmatched: false,
      };
    }
    throw error;
  }
  await limits?.refund();
  await sendCompletionMail(ctx, address, { loginId: loginId.value, ...mailFields });
  return {
    ok: true,
    outcome: 'created',
    registrationId,
    loginId: loginId.value,
    matched: studentMatched,
  };
}

/** One count against the link and the client address for a form that asks about others. */
async function hitProbeLimits(ctx: ParentsContext, link: RegisterLink, clientAddress: string) {
  const limits = await hitLimits(ctx, [
    [`parent-probe:link:${link.token.id}`, LINK_LIMITS.probesPerLink],
    [`parent-probe:address:${clientAddress}`, LINK_LIMITS.probesPerAddress],
  ]);
  if (!limits.allowed) ctx.logger.warn({ clientAddress }, 'registration form answers rate limited');
  return limits;
}
