import {
  consumeToken,
  createRegistrationToken,
  deleteParentSessions,
  deleteRegistrations,
  deleteRegistrationTokensOf,
  findParentAccount,
  findRegistrationsByLoginId,
  listDistrictSchools,
  listRegistrationAddresses,
  lockRegistration,
  recordAuditEvent,
  setRegistrationLanguage,
  setRegistrationPassword,
  type RegistrationToken,
} from '@renraku/db';
import { isTemplateLanguage } from '@renraku/shared';
import { decryptAddress } from '@renraku/shared/crypto';
import { hashPassword, verifyPassword } from '@renraku/shared/password';
import type { ParentsContext } from './context';
import { addressHints } from './addresses';
import { findLinkToken } from './links';
import { hitLimits } from './limits';
import { sendPasswordResetMail } from './mails';
import { checkNewPassword, linkGone, loginIdLookupKey, parentRefusal } from './policy';

// The parent's account (the sheet's lower QR code): what is registered, the password (changed
// or reset through a registered address), a sibling's registration, and withdrawal (退会).

/** The account page: the child, school, class and the addresses as masked hints. */
export async function loadAccount(ctx: ParentsContext, registrationId: number) {
  const account = await findParentAccount(ctx.db, registrationId);
  if (!account) return undefined;
  const addresses = addressHints(ctx, await listRegistrationAddresses(ctx.db, registrationId));
  return { account, addresses };
}

/**
 * The language template messages come in (above the Japanese original); audited.
 * @throws ServiceError for a language the templates do not have; nothing is stored.
 */
export async function setLanguage(
  ctx: ParentsContext,
  registrationId: number,
  language: string,
): Promise<void> {
  if (!isTemplateLanguage(language)) throw parentRefusal('language', 'language_invalid');
  await ctx.db.transaction(async (tx) => {
    const districtId = await lockRegistration(tx, registrationId);
    if (districtId === undefined) throw linkGone();
    await setRegistrationLanguage(tx, registrationId, language);
    await recordAuditEvent(tx, {
      districtId,
      actorType: 'parent',
      actorId: registrationId,
      action: 'parent.language_change',
      subjectType: 'registration',
      subjectId: String(registrationId),
      detail: { language },
    });
  });
}

/**
 * The current password is asked again: a phone left unlocked must not be enough.
 * @throws ServiceError
 */
export async function changePassword(
  ctx: ParentsContext,
  registrationId: number,
  input: { current: string; password: string },
): Promise<void> {
  const account = await findParentAccount(ctx.db, registrationId);
  if (!account) throw parentRefusal('current', 'current_wrong');
  const [stored] = await findRegistrationsByLoginId(ctx.db, account.loginId, account.districtId);
  if (!stored || !(await verifyPassword(stored.passwordHash, input.current.slice(0, 256)))) {
    throw parentRefusal('current', 'current_wrong');
  }
  const checked = checkNewPassword(input.password, account.loginId);
  if (!checked.ok) throw parentRefusal('password', checked.code);
  await setRegistrationPassword(ctx.db, registrationId, await hashPassword(checked.value));
  await recordAuditEvent(ctx.db, {
    districtId: account.districtId,
    schoolId: account.schoolId,
    actorType: 'parent',
    actorId: registrationId,
    action: 'parent.password_change',
  });
}

/** Reset requests: per login ID a few an hour (each mails every address), per client more. */
export const RESET_LIMITS = {
  perLogin: { limit: 3, windowSeconds: 3600 },
  perAddress: { limit: 30, windowSeconds: 3600 },
} as const;

/** A reset link is short-lived: it grants the account to whoever holds the mail. */
export const RESET_TTL_SECONDS = 3600;

/**
 * 「パスワードを忘れた」: mails a reset link to each registered address of the login ID. The
 * page says the same whatever happens, and the lookup and mails run after the answer, so
 * neither the message nor the time taken says whether the ID exists.
 */
export async function requestPasswordReset(
  ctx: ParentsContext,
  loginIdInput: string,
  clientAddress: string,
): Promise<void> {
  const loginId = loginIdLookupKey(loginIdInput);
  const limits = await hitLimits(ctx, [
    [`parent-reset:address:${clientAddress}`, RESET_LIMITS.perAddress],
    [`parent-reset:login:${loginId}`, RESET_LIMITS.perLogin],
  ]);
  if (loginId === '' || !limits.allowed) return;
  void mailResetLinks(ctx, loginId).catch((error: unknown) => {
    ctx.logger.error({ err: error }, 'password reset mails failed');
  });
}

async function mailResetLinks(ctx: ParentsContext, loginId: string): Promise<void> {
  for (const registration of await findRegistrationsByLoginId(ctx.db, loginId)) {
    for (const address of await listRegistrationAddresses(ctx.db, registration.id)) {
      const link = await createRegistrationToken(ctx.db, {
        purpose: 'reset_password',
        registrationId: registration.id,
        ttlSeconds: RESET_TTL_SECONDS,
      });
      await sendPasswordResetMail(ctx, decryptAddress(ctx.keys, address.ciphertext), link);
    }
  }
}

/** A usable reset link with the login ID it resets (shown so the parent knows which account). */
export async function openResetLink(ctx: ParentsContext, rawToken: string) {
  const token = await findLinkToken(ctx, rawToken, 'reset_password');
  if (!token?.registrationId) return undefined;
  const account = await findParentAccount(ctx.db, token.registrationId);
  return account && { token, account };
}

/**
 * Sets the new password, uses up every reset link of the account and ends its sessions.
 * @throws ServiceError (not_found: the link was used meanwhile)
 */
export async function resetPassword(
  ctx: ParentsContext,
  link: { token: RegistrationToken; account: { id: number; loginId: string; districtId: number } },
  password: string,
): Promise<void> {
  const checked = checkNewPassword(password, link.account.loginId);
  if (!checked.ok) throw parentRefusal('password', checked.code);
  const passwordHash = await hashPassword(checked.value);
  const done = await ctx.db.transaction(async (tx) => {
    if (!(await consumeToken(tx, link.token.id))) return false;
    await setRegistrationPassword(tx, link.account.id, passwordHash);
    await deleteRegistrationTokensOf(tx, link.account.id, 'reset_password');
    await deleteParentSessions(tx, link.account.id);
    await recordAuditEvent(tx, {
      districtId: link.account.districtId,
      actorType: 'parent',
      actorId: link.account.id,
      action: 'parent.password_reset',
    });
    return true;
  });
  if (!done) throw linkGone();
}

/** The schools a sibling may be registered at: every school of the parent's district. */
export function siblingSchools(ctx: ParentsContext, districtId: number) {
  return listDistrictSchools(ctx.db, districtId);
}

/** The sibling link lives as long as a mailed one would, but is used at once. */
const SIBLING_LINK_TTL_SECONDS = 3600;

/**
 * A sibling's registration (leaflet: 新たなＩＤを付けて登録): a registration link for the chosen
 * school of the district, carrying the account's first address, so the parent goes straight
 * into the usual new-registration steps (auth code, details) without another empty mail. The
 * further addresses can be added to the new ID afterwards, as for any registration.
 */
export async function startSiblingRegistration(
  ctx: ParentsContext,
  registrationId: number,
  schoolId: number,
): Promise<string | undefined> {
  const account = await findParentAccount(ctx.db, registrationId);
  if (!account) return undefined;
  const schools = await listDistrictSchools(ctx.db, account.districtId);
  if (!schools.some((school) => school.id === schoolId)) return undefined;
  const [first] = await listRegistrationAddresses(ctx.db, registrationId);
  if (!first) return undefined;
  const issued = await createRegistrationToken(ctx.db, {
    purpose: 'register',
    schoolId,
    address: {
      ciphertext: first.ciphertext,
      blindIndex: first.blindIndex,
      carrierDomain: first.carrierDomain,
    },
    ttlSeconds: SIBLING_LINK_TTL_SECONDS,
  });
  return issued.token;
}

/**
 * 退会: the registration, its addresses, tokens and sessions are deleted (cascade). The audit
 * row keeps only the fact and the school, nothing about the child or the addresses.
 */
export async function withdraw(ctx: ParentsContext, registrationId: number): Promise<void> {
  const account = await findParentAccount(ctx.db, registrationId);
  if (!account) return;
  await ctx.db.transaction(async (tx) => {
    await deleteRegistrations(tx, [registrationId]);
    await recordAuditEvent(tx, {
      districtId: account.districtId,
      schoolId: account.schoolId,
      actorType: 'parent',
      actorId: null,
      action: 'parent.withdraw',
      subjectType: 'school',
      subjectId: String(account.schoolId),
    });
  });
}

/** An add-address confirmation link (it carries the new address) and the registration it is for. */
export async function openConfirmLink(ctx: ParentsContext, rawToken: string) {
  const token = await findLinkToken(ctx, rawToken, 'add_address');
  // The mailbox token has no address yet: only the mailed confirmation token opens this page.
  if (!token?.registrationId || token.addressCiphertext === null) return undefined;
  const loaded = await loadAccount(ctx, token.registrationId);
  return loaded && { token, ...loaded };
}
