import {
  findParentAccount,
  findRegistrationPlace,
  lockRegistration,
  placeRegistration,
  recordAuditEvent,
  schoolHasRoster,
} from '@renraku/db';
import { checkKana, checkName, ServiceError } from '@renraku/shared';
import type { ParentsContext } from './context';
import { matchRegistrations } from '../roster';
import { checkClassChoice, classChoices, type RegistrationChoices } from './links';
import { parentFieldsRefusal, type ParentErrorCode } from './policy';

// The parent's correction of the child's grade, class and name from /account (issue 12 item
// 5): a registration the roster does not know yet can be put right by the parent, and is
// matched again at once. Once the roster knows the child, the roster (the school) decides the
// class: a matched registration is not changed from here.

/** Where the registration stands against the school's roster. */
export type RosterStanding = 'matched' | 'unmatched' | 'no_roster';

export async function rosterStandingOf(
  ctx: ParentsContext,
  registration: { schoolId: number; studentId: number | null },
): Promise<RosterStanding> {
  if (registration.studentId !== null) return 'matched';
  return (await schoolHasRoster(ctx.db, registration.schoolId)) ? 'unmatched' : 'no_roster';
}

export interface ChildForm {
  grade: string;
  classId: string;
  childName: string;
  childKana: string;
}

export type ChildField = keyof ChildForm;

/** The correction page: the child as registered, the standing, the classes to choose from. */
export async function loadChildCorrection(ctx: ParentsContext, registrationId: number) {
  const account = await findParentAccount(ctx.db, registrationId);
  if (!account) return undefined;
  const choices: RegistrationChoices = await classChoices(
    ctx,
    { id: account.schoolId, kind: account.schoolKind },
    { kind: 'school' },
  );
  return { account, choices, standing: await rosterStandingOf(ctx, account) };
}

/** The registration was withdrawn meanwhile (another device). */
const gone = () => new ServiceError('not_found', 'parent.error.registrationGone');
/** The roster knows the child now: the school decides the class from here. */
const matchedAlready = () => new ServiceError('conflict', 'parent.correct.matchedLead');

/**
 * Validates every field (all errors at once), then re-places and re-matches the registration;
 * whether the roster now knows the child.
 * @throws ServiceError
 */
export async function correctChild(
  ctx: ParentsContext,
  registrationId: number,
  form: ChildForm,
): Promise<{ matched: boolean }> {
  const account = await findParentAccount(ctx.db, registrationId);
  if (!account) throw gone();
  if (account.studentId !== null) throw matchedAlready();
  const errors: Partial<Record<ChildField, ParentErrorCode>> = {};
  const childName = checkName(form.childName);
  if (!childName.ok) errors.childName = childName.code;
  const childKana = checkKana(form.childKana);
  if (!childKana.ok) errors.childKana = childKana.code;
  const choices = await classChoices(
    ctx,
    { id: account.schoolId, kind: account.schoolKind },
    { kind: 'school' },
  );
  const classChoice = checkClassChoice(choices, form.grade, form.classId);
  if (!classChoice.ok) errors[classChoice.field] = classChoice.code;
  if (!childName.ok || !childKana.ok || !classChoice.ok) throw parentFieldsRefusal(errors);

  return ctx.db.transaction(async (tx) => {
    if ((await lockRegistration(tx, registrationId)) === undefined) throw gone();
    const before = await findRegistrationPlace(tx, registrationId);
    if (!before) throw gone();
    if (before.studentId !== null) throw matchedAlready();
    await placeRegistration(tx, registrationId, {
      classId: classChoice.chosen.id,
      studentId: null,
      childName: childName.value,
      childKana: childKana.value,
    });
    await matchRegistrations(tx, account.schoolId);
    const after = await findRegistrationPlace(tx, registrationId);
    const matched = after?.studentId != null;
    await recordAuditEvent(tx, {
      districtId: account.districtId,
      schoolId: account.schoolId,
      actorType: 'parent',
      actorId: registrationId,
      action: 'parent.correct_child',
      subjectType: 'registration',
      subjectId: String(registrationId),
      detail: { fromClassId: before.classId, toClassId: after?.classId ?? null, matched },
    });
    return { matched };
  });
}
