import { ServiceError } from '@renraku/shared';

// What a parent may choose as a login ID and a password, checked the same way on every form
// (registration, password change, reset). Each check returns the stored form or an error code
// that the pages word in Japanese or English (parent.error.<code>).

/** Error codes of the parent forms; each has a message `parent.error.<code>`. */
export type ParentErrorCode =
  | 'loginId_required'
  | 'loginId_invalid'
  | 'loginId_taken'
  | 'password_short'
  | 'password_long'
  | 'password_common'
  | 'password_same_as_id'
  | 'password_invalid'
  | 'current_wrong'
  | 'name_required'
  | 'name_too_long'
  | 'name_invalid'
  | 'kana_required'
  | 'kana_too_long'
  | 'kana_invalid'
  | 'grade_invalid'
  | 'class_invalid'
  | 'language_invalid';

// A check is a result, not a refusal: a form runs every check and shows all errors at once;
// the service then refuses the form as a whole (a ServiceError with each field's message).
export type PolicyCheck = { ok: true; value: string } | { ok: false; code: ParentErrorCode };

/** The message key of an error code. */
export const parentErrorKey = (code: ParentErrorCode) => `parent.error.${code}` as const;

/** A parent form refused for one field. */
export function parentRefusal(field: string, code: ParentErrorCode): ServiceError {
  return new ServiceError('invalid', parentErrorKey(code), {}, { field });
}

/** A parent form refused for several fields at once, each with its own message. */
export function parentFieldsRefusal(
  errors: Partial<Record<string, ParentErrorCode>>,
): ServiceError {
  const fields = Object.fromEntries(
    Object.entries(errors).flatMap(([field, code]) =>
      code === undefined ? [] : [[field, { key: parentErrorKey(code) }]],
    ),
  );
  const first = Object.values(fields)[0]?.key ?? 'refusal.unknown';
  return new ServiceError('invalid', first, {}, { fields });
}

/** The link was used (by another tab) or expired while its form was filled in. */
export const linkGone = () => new ServiceError('not_found', 'parent.attach.gone');

export const LOGIN_ID_MIN = 4;
export const LOGIN_ID_MAX = 32;
export const PASSWORD_MIN = 8;
export const PASSWORD_MAX = 64;

/**
 * A login ID as typed into a login or reset form, for lookups and rate-limit keys: the stored
 * form, without control characters (PostgreSQL text cannot hold NUL), bounded.
 */
export function loginIdLookupKey(input: string): string {
  return input
    .normalize('NFKC')
    .replace(/\p{Cc}/gu, '')
    .trim()
    .toLowerCase()
    .slice(0, 100);
}

/** Letters, digits and . _ - ; starting with a letter or digit, so it reads as a name. */
const LOGIN_ID = /^[a-z0-9][a-z0-9._-]*$/;

/**
 * Login IDs compare case-insensitively and are stored in lower case; full-width letters a
 * phone's Japanese keyboard typed are accepted as their ASCII forms (NFKC).
 */
export function checkLoginId(input: string): PolicyCheck {
  const value = input.normalize('NFKC').trim().toLowerCase();
  if (value === '') return { ok: false, code: 'loginId_required' };
  if (value.length < LOGIN_ID_MIN || value.length > LOGIN_ID_MAX || !LOGIN_ID.test(value)) {
    return { ok: false, code: 'loginId_invalid' };
  }
  return { ok: true, value };
}

/**
 * The most common passwords of 8 characters or more (public breach lists), plus the obvious
 * ones of this service. A small embedded list: it stops the guesses an attacker tries first.
 */
const COMMON_PASSWORDS = new Set([
  '12345678',
  '123456789',
  '1234567890',
  '12341234',
  '11111111',
  '00000000',
  '88888888',
  '87654321',
  '11223344',
  '12121212',
  '112233445566',
  '123123123',
  '1q2w3e4r',
  '1qaz2wsx',
  'qwertyui',
  'qwertyuiop',
  'qwerty123',
  'asdfghjk',
  'asdfasdf',
  'zxcvbnm1',
  'password',
  'password1',
  'password123',
  'passw0rd',
  'p@ssw0rd',
  'iloveyou',
  'sunshine',
  'princess',
  'football',
  'baseball',
  'superman',
  'starwars',
  'whatever',
  'trustno1',
  'letmein1',
  'welcome1',
  'abcd1234',
  'abc12345',
  'abcdefgh',
  'aaaaaaaa',
  'pokemon1',
  'doraemon',
  'sakura123',
  'hello123',
  'renraku1',
  'renraku123',
  'gakkou123',
  'school123',
  'tomakomai',
  'minato123',
]);

/** Lower-cased, so 「Password1」 is as common as 「password1」. */
export function isCommonPassword(password: string): boolean {
  return COMMON_PASSWORDS.has(password.toLowerCase());
}

const CONTROL_CHARACTERS = /[\p{Cc}]/u;

/** 8–64 characters (any script), not a common password, not the login ID itself. */
export function checkNewPassword(password: string, loginId: string): PolicyCheck {
  if (CONTROL_CHARACTERS.test(password)) return { ok: false, code: 'password_invalid' };
  const length = [...password].length;
  if (length < PASSWORD_MIN) return { ok: false, code: 'password_short' };
  if (length > PASSWORD_MAX) return { ok: false, code: 'password_long' };
  if (isCommonPassword(password)) return { ok: false, code: 'password_common' };
  if (password.toLowerCase() === loginId.toLowerCase()) {
    return { ok: false, code: 'password_same_as_id' };
  }
  return { ok: true, value: password };
}

/**
 * Free alternatives to a taken login ID, as the leaflet advises: the year of entry and the
 * class added (tanaka2026, tanaka-1-2). The caller keeps only those nobody has.
 */
export function loginIdCandidates(
  loginId: string,
  child: { entryYear: number; grade: number; classNumber: number | null },
): string[] {
  const suffixes = [
    String(child.entryYear),
    child.classNumber === null ? `-${child.grade}` : `-${child.grade}-${child.classNumber}`,
    `${child.entryYear}-${child.grade}`,
    `-${child.entryYear}`,
  ];
  const candidates = suffixes.map(
    (suffix) => `${loginId.slice(0, LOGIN_ID_MAX - suffix.length)}${suffix}`,
  );
  return [...new Set(candidates)].filter((candidate) => checkLoginId(candidate).ok);
}

/**
 * How a parent recognises their own address without it being shown in full:
 * 「d***@docomo.ne.jp」. Only ever shown to the parent of the registration.
 */
export function maskAddress(address: string): string {
  const at = address.lastIndexOf('@');
  if (at <= 0) return '***';
  return `${address.slice(0, 1)}***${address.slice(at)}`;
}
