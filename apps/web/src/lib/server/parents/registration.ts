import {
  consumeToken,
  findClassRegistrationsWithAddress,
  insertParentRegistration,
  insertRegistrationAddress,
  recordAuditEvent,
  takenLoginIds,
} from '@renraku/db';
import { checkKana, checkName, kanaMatchKey } from '@renraku/shared';
import { decryptAddress } from '@renraku/shared/crypto';
import { hashPassword } from '@renraku/shared/password';
import type { WebContext } from '../../../../server/context';
import { matchRegistrations } from '../roster/matching';
import type { CodeScope, RegisterLink } from './links';
import { registrationChoices } from './links';
import { sendCompletionMail } from './mails';
import { checkLoginId, checkNewPassword, loginIdCandidates, type ParentErrorCode } from './policy';

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
}

export type RegistrationField = keyof RegistrationForm;

export type RegistrationResult =
  | { ok: true; outcome: 'created'; registrationId: number; loginId: string }
  /** The same address, class and kana were registered before: nothing new, the mail again. */
  | { ok: true; outcome: 'already'; loginId: string }
  | {
      ok: false;
      errors: Partial<Record<RegistrationField, ParentErrorCode>>;
      /** Free login IDs to offer when the chosen one is taken. */
      suggestions: string[];
    }
  /** The link was used (by another tab) or expired while the form was filled in. */
  | { ok: false; linkGone: true };

class LoginIdTakenMeanwhile extends Error {}

/** The first number in a class name (「2組」 → 2), for login ID suggestions. */
function classNumberOf(name: string): number | null {
  const digits = /\d+/.exec(name.normalize('NFKC'))?.[0];
  return digits === undefined ? null : Number(digits);
}

/**
 * Validates every field (all errors at once), then registers. A repeated registration (the
 * leaflet tells parents to register again when no completion mail came) is recognised by the
 * same address already on a registration of the same class with the same kana: then nothing
 * is created, the link is used up and the completion mail is sent again with the existing ID.
 */
export async function completeRegistration(
  ctx: WebContext,
  link: RegisterLink,
  scope: CodeScope,
  form: RegistrationForm,
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

  const choices = await registrationChoices(ctx, link, scope);
  const grade = /^\d{1,2}$/.test(form.grade) ? Number(form.grade) : NaN;
  const gradeValid = choices.grades.includes(grade);
  if (!gradeValid) errors.grade = 'grade_invalid';
  const chosenClass = choices.classes.find((c) => String(c.id) === form.classId);
  if (gradeValid && chosenClass?.grade !== grade) errors.classId = 'class_invalid';

  if (
    !loginId.ok ||
    !password.ok ||
    !childName.ok ||
    !childKana.ok ||
    !chosenClass ||
    !gradeValid
  ) {
    return { ok: false, errors, suggestions: [] };
  }
  const { token, school } = link;
  const address = decryptAddress(ctx.keys, token.addressCiphertext!);
  const mailFields = {
    schoolName: school.name,
    grade: chosenClass.grade,
    className: chosenClass.name,
  };

  const earlier = (
    await findClassRegistrationsWithAddress(ctx.db, {
      classId: chosenClass.id,
      blindIndex: token.blindIndex!,
    })
  ).find((row) => kanaMatchKey(row.childKana) === kanaMatchKey(childKana.value));
  if (earlier) {
    if (!(await consumeToken(ctx.db, token.id))) return { ok: false, linkGone: true };
    await sendCompletionMail(ctx, address, { loginId: earlier.loginId, ...mailFields });
    return { ok: true, outcome: 'already', loginId: earlier.loginId };
  }

  const suggestionsFor = async () => {
    const candidates = loginIdCandidates(loginId.value, {
      entryYear: choices.schoolYear - chosenClass.grade + 1,
      grade: chosenClass.grade,
      classNumber: classNumberOf(chosenClass.name),
    });
    const taken = await takenLoginIds(ctx.db, school.districtId, candidates);
    return candidates.filter((candidate) => !taken.has(candidate)).slice(0, 3);
  };
  const takenResult = async (): Promise<RegistrationResult> => ({
    ok: false,
    errors: { loginId: 'loginId_taken' },
    suggestions: await suggestionsFor(),
  });
  if ((await takenLoginIds(ctx.db, school.districtId, [loginId.value])).size > 0) {
    return takenResult();
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
        actorType: 'parent',
        actorId: id,
        action: 'parent.register',
        subjectType: 'registration',
        subjectId: String(id),
        detail: { schoolId: school.id, classId: chosenClass.id },
      });
      return id;
    });
    if (created === undefined) return { ok: false, linkGone: true };
    registrationId = created;
  } catch (error) {
    if (error instanceof LoginIdTakenMeanwhile) return takenResult();
    throw error;
  }
  await sendCompletionMail(ctx, address, { loginId: loginId.value, ...mailFields });
  return { ok: true, outcome: 'created', registrationId, loginId: loginId.value };
}
