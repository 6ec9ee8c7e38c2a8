import {
  findParentSchool,
  findUsableToken,
  hitRateLimit,
  type ParentSchool,
  type RegistrationToken,
} from '@renraku/db';
import { MAX_GRADE, ServiceError, type SchoolKind, type TokenPurpose } from '@renraku/shared';
import { hashToken, sign, verifySignature } from '@renraku/shared/crypto';
import type { ParentsContext } from './context';
import { currentClasses, normalizeAuthCodeInput } from '../roster';
import { hitLimits } from './limits';

// The mailed registration link (/r/<token>) and its first step, the auth code (leaflet ②③).
// A link is usable while unexpired and unused; an unusable one is never told apart by reason.

/**
 * Per client address: link pages and auth-code attempts. Generous, because in April a school's
 * parents register within days and a carrier's NAT puts many phones behind one address.
 * Per link: five wrong codes lock it for an hour (the parent can mail again for a new link,
 * but 40-bit codes cannot be guessed five at a time).
 * The details form's answers about others (a login ID is taken; the chosen class's roster has
 * no child of this name) are counted like failed logins, a registration counted back: five
 * refused forms with such an answer per link an hour, fifty per address in 15 minutes. A
 * parent needs one or two; a prober with a link and the code stops at five.
 */
export const LINK_LIMITS = {
  pagesPerAddress: { limit: 300, windowSeconds: 600 },
  wrongCodesPerLink: { limit: 5, windowSeconds: 3600 },
  wrongCodesPerAddress: { limit: 50, windowSeconds: 900 },
  probesPerLink: { limit: 5, windowSeconds: 3600 },
  probesPerAddress: { limit: 50, windowSeconds: 900 },
} as const;

/** Tokens are base64url (links) or hex (mailboxes); anything else is not looked up. */
const TOKEN_SHAPE = /^[A-Za-z0-9_-]{16,100}$/;

/** A usable token of this purpose, by the raw token from the URL. */
export async function findLinkToken(
  ctx: ParentsContext,
  rawToken: string,
  purpose: TokenPurpose,
): Promise<RegistrationToken | undefined> {
  if (!TOKEN_SHAPE.test(rawToken)) return undefined;
  return findUsableToken(ctx.db, hashToken(rawToken), purpose);
}

/** Counts one view of a link page from this address; false when over the limit. */
export async function allowLinkPage(ctx: ParentsContext, clientAddress: string): Promise<boolean> {
  const { limit, windowSeconds } = LINK_LIMITS.pagesPerAddress;
  const result = await hitRateLimit(
    ctx.db,
    `parent-link:address:${clientAddress}`,
    limit,
    windowSeconds,
  );
  return result.allowed;
}

/** A usable registration link with its school: what every step of a new registration starts from. */
export interface RegisterLink {
  token: RegistrationToken;
  school: ParentSchool;
}

export async function openRegisterLink(
  ctx: ParentsContext,
  rawToken: string,
): Promise<RegisterLink | undefined> {
  const token = await findLinkToken(ctx, rawToken, 'register');
  if (!token?.schoolId || !token.addressCiphertext) return undefined;
  const school = await findParentSchool(ctx.db, token.schoolId);
  return school && { token, school };
}

/** Which classes the code entered opens: the school's code all of them, a class's code its own. */
export type CodeScope = { kind: 'school' } | { kind: 'class'; classId: number };

// Locked is a state the page shows with its minutes (429), not a refusal of the code typed;
// a wrong code is a refusal (ServiceError).
export type AuthCodeResult =
  { ok: true; grant: string } | { ok: false; reason: 'rate_limited'; minutes: number };

function scopeText(scope: CodeScope): string {
  return scope.kind === 'school' ? 'school' : `class-${scope.classId}`;
}

function grantSignature(ctx: ParentsContext, link: RegisterLink, scope: string): string {
  return sign(ctx.keys, `register-grant:${link.token.tokenHash}:${scope}`, 32);
}

/**
 * Step ③. Wrong codes count against the link and the client address; a right one is refunded.
 * The answer is a grant (signed, bound to this link) that the details form carries, so the
 * code is not asked again and is not put in the page.
 * @throws ServiceError
 */
export async function checkAuthCode(
  ctx: ParentsContext,
  link: RegisterLink,
  input: string,
  clientAddress: string,
): Promise<AuthCodeResult> {
  const limits = await hitLimits(ctx, [
    [`parent-code:link:${link.token.id}`, LINK_LIMITS.wrongCodesPerLink],
    [`parent-code:address:${clientAddress}`, LINK_LIMITS.wrongCodesPerAddress],
  ]);
  if (!limits.allowed) return { ok: false, reason: 'rate_limited', minutes: limits.minutes };
  const code = normalizeAuthCodeInput(input.slice(0, 100));
  let scope: CodeScope | undefined;
  if (code !== '' && code === normalizeAuthCodeInput(link.school.authCode)) {
    scope = { kind: 'school' };
  } else if (code !== '') {
    const { classes } = await currentClasses(ctx.db, link.school.id);
    const match = classes.find(
      (c) => c.authCode !== null && normalizeAuthCodeInput(c.authCode) === code,
    );
    if (match) scope = { kind: 'class', classId: match.id };
  }
  if (!scope) throw new ServiceError('invalid', 'parent.code.wrong', {}, { field: 'authCode' });
  await limits.refund();
  const text = scopeText(scope);
  return { ok: true, grant: `${text}.${grantSignature(ctx, link, text)}` };
}

/** The scope a grant from checkAuthCode stands for, or undefined when it is not one. */
export function verifyGrant(
  ctx: ParentsContext,
  link: RegisterLink,
  grant: string,
): CodeScope | undefined {
  const dot = grant.lastIndexOf('.');
  const scope = grant.slice(0, dot);
  if (
    dot < 0 ||
    !verifySignature(
      ctx.keys,
      `register-grant:${link.token.tokenHash}:${scope}`,
      grant.slice(dot + 1),
      32,
    )
  ) {
    return undefined;
  }
  if (scope === 'school') return { kind: 'school' };
  const classId = /^class-(\d+)$/.exec(scope)?.[1];
  return classId ? { kind: 'class', classId: Number(classId) } : undefined;
}

/** What the details form offers: the grades of the school's kind and the classes the code opens. */
export interface RegistrationChoices {
  schoolYear: number;
  grades: number[];
  classes: { id: number; grade: number; name: string }[];
}

export async function registrationChoices(
  ctx: ParentsContext,
  link: RegisterLink,
  scope: CodeScope,
): Promise<RegistrationChoices> {
  return classChoices(ctx, link.school, scope);
}

/** The grades and classes of the school's current year that a parent may choose from. */
export async function classChoices(
  ctx: ParentsContext,
  school: { id: number; kind: SchoolKind },
  scope: CodeScope,
): Promise<RegistrationChoices> {
  const { schoolYear, classes } = await currentClasses(ctx.db, school.id);
  const open = classes
    .filter((c) => scope.kind === 'school' || c.id === scope.classId)
    .map((c) => ({ id: c.id, grade: c.grade, name: c.name }));
  const maxGrade = MAX_GRADE[school.kind];
  const grades = Array.from({ length: maxGrade }, (_, i) => i + 1).filter((grade) =>
    open.some((c) => c.grade === grade),
  );
  return { schoolYear, grades, classes: open };
}

// A check like the policy's: the form collects it with the other fields' errors.
export type ClassChoice =
  | { ok: true; chosen: RegistrationChoices['classes'][number] }
  | { ok: false; field: 'grade' | 'classId'; code: 'grade_invalid' | 'class_invalid' };

/** The grade and class as posted, checked against the choices: the class must be of the grade. */
export function checkClassChoice(
  choices: RegistrationChoices,
  gradeInput: string,
  classIdInput: string,
): ClassChoice {
  const grade = /^\d{1,2}$/.test(gradeInput) ? Number(gradeInput) : NaN;
  if (!choices.grades.includes(grade)) return { ok: false, field: 'grade', code: 'grade_invalid' };
  const chosen = choices.classes.find((c) => String(c.id) === classIdInput);
  if (chosen?.grade !== grade) return { ok: false, field: 'classId', code: 'class_invalid' };
  return { ok: true, chosen };
}
