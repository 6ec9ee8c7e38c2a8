import {
  consumeToken,
  createAddAddressToken,
  deleteRegistrationAddress,
  insertRegistrationAddress,
  listRegistrationAddresses,
  lockRegistration,
  recordAuditEvent,
  setAddressOrder,
  type RegistrationAddress,
  type RegistrationToken,
  type Tx,
} from '@renraku/db';
import {
  addAddressMailbox,
  MAX_ADDRESSES_PER_REGISTRATION,
  ServiceError,
  type AddressHealth,
  type AddressRole,
} from '@renraku/shared';
import { blindIndexCandidates, decryptAddress } from '@renraku/shared/crypto';
import type { ParentsContext } from './context';
import { linkGone, maskAddress } from './policy';

// A registration's up to three addresses (leaflet: 三人まで), guardians first: a child's own
// address only with a guardian's before it. Every change locks the registration and rewrites
// the positions, so the order always reads guardians, then the child.

/** An address as its own parent sees it: a masked hint, never the address. */
export interface AddressHint {
  id: number;
  hint: string;
  role: AddressRole;
  health: AddressHealth;
}

export function addressHints(
  ctx: ParentsContext,
  rows: readonly RegistrationAddress[],
): AddressHint[] {
  return rows.map((row) => ({
    id: row.id,
    hint: maskAddress(decryptAddress(ctx.keys, row.ciphertext)),
    role: row.role,
    health: row.health,
  }));
}

export async function loadAddressHints(ctx: ParentsContext, registrationId: number) {
  return addressHints(ctx, await listRegistrationAddresses(ctx.db, registrationId));
}

/** Guardians first, each group in its present order. */
async function reorder(tx: Tx, registrationId: number): Promise<void> {
  const rows = await listRegistrationAddresses(tx, registrationId);
  const ordered = [
    ...rows.filter((row) => row.role === 'guardian'),
    ...rows.filter((row) => row.role === 'child'),
  ];
  await setAddressOrder(
    tx,
    registrationId,
    ordered.map((row) => row.id),
  );
}

export type AttachOutcome =
  | 'added'
  | 'replaced'
  /** The address is on the registration already: nothing to do. */
  | 'already';

/** Three addresses already; the parent must replace or remove one. */
const full = () => new ServiceError('conflict', 'parent.attach.full');
/** A child's address without a guardian's left. */
const guardianFirst = () => new ServiceError('conflict', 'parent.attach.guardian_first');

/**
 * Adds the address a token proves (a registration link's 「登録済みの人」, or an add-address
 * confirmation) to a registration, optionally in place of one of its addresses. The token is
 * used up only when the address was added (or was there already); a refusal leaves it usable,
 * so the parent can remove an address and come back with the same link.
 * @throws ServiceError (not_found: the link was used or expired meanwhile, or the registration
 *   is gone)
 */
export async function attachAddress(
  ctx: ParentsContext,
  input: {
    registrationId: number;
    token: RegistrationToken;
    role: AddressRole;
    replaceAddressId?: number;
  },
): Promise<AttachOutcome> {
  const { registrationId, token, role } = input;
  if (!token.addressCiphertext || !token.blindIndex) throw linkGone();
  // A refusal thrown inside the transaction rolls the token's use back with it.
  return ctx.db.transaction(async (tx) => {
    const districtId = await lockRegistration(tx, registrationId);
    if (districtId === undefined) throw linkGone();
    if (!(await consumeToken(tx, token.id))) throw linkGone();
    const rows = await listRegistrationAddresses(tx, registrationId);
    // Both keys' forms during a rotation: the token and the rows need not be under the same key.
    const known = blindIndexCandidates(
      ctx.keys,
      decryptAddress(ctx.keys, token.addressCiphertext!),
    );
    if (rows.some((row) => known.includes(row.blindIndex))) return 'already';
    const replaced = rows.find((row) => row.id === input.replaceAddressId);
    const kept = rows.filter((row) => row !== replaced);
    if (kept.length >= MAX_ADDRESSES_PER_REGISTRATION) throw full();
    if (role === 'child' && !kept.some((row) => row.role === 'guardian')) throw guardianFirst();
    if (replaced) await deleteRegistrationAddress(tx, registrationId, replaced.id);
    await insertRegistrationAddress(tx, {
      districtId,
      registrationId,
      position: Math.max(0, ...rows.map((row) => row.position)) + 1,
      role,
      ciphertext: token.addressCiphertext!,
      blindIndex: token.blindIndex!,
      carrierDomain: token.carrierDomain ?? '',
    });
    await reorder(tx, registrationId);
    await recordAuditEvent(tx, {
      districtId,
      actorType: 'parent',
      actorId: registrationId,
      action: replaced ? 'parent.address_replace' : 'parent.address_add',
      subjectType: 'registration',
      subjectId: String(registrationId),
      detail: { role },
    });
    return replaced ? 'replaced' : 'added';
  });
}

const removeRefusal = (key: 'last' | 'guardian_needed' | 'not_found') =>
  new ServiceError('conflict', `parent.remove.${key}`);

/**
 * Removes one address. The last one cannot go (that is withdrawal, 退会), nor the last
 * guardian's while a child's address remains.
 * @throws ServiceError
 */
export async function removeAddress(
  ctx: ParentsContext,
  registrationId: number,
  addressId: number,
): Promise<void> {
  return ctx.db.transaction(async (tx) => {
    const districtId = await lockRegistration(tx, registrationId);
    if (districtId === undefined) throw removeRefusal('not_found');
    const rows = await listRegistrationAddresses(tx, registrationId);
    const target = rows.find((row) => row.id === addressId);
    if (!target) throw removeRefusal('not_found');
    const kept = rows.filter((row) => row !== target);
    if (kept.length === 0) throw removeRefusal('last');
    if (!kept.some((row) => row.role === 'guardian')) throw removeRefusal('guardian_needed');
    await deleteRegistrationAddress(tx, registrationId, addressId);
    await reorder(tx, registrationId);
    await recordAuditEvent(tx, {
      districtId,
      actorType: 'parent',
      actorId: registrationId,
      action: 'parent.address_remove',
      subjectType: 'registration',
      subjectId: String(registrationId),
    });
  });
}

/** The add-address mailbox stays open this long; the parent may hand it to a family member. */
export const ADD_ADDRESS_MAILBOX_TTL_SECONDS = 24 * 3600;

/**
 * The add-<token>@MAIL_DOMAIN mailbox for a further address: an empty mail to it from that
 * address brings a confirmation link (the dispatcher's inbound server sends it).
 */
export async function openAddAddressMailbox(
  ctx: ParentsContext,
  registrationId: number,
): Promise<{ mailbox: string; expiresAt: Date }> {
  const issued = await createAddAddressToken(
    ctx.db,
    registrationId,
    ADD_ADDRESS_MAILBOX_TTL_SECONDS,
  );
  return {
    mailbox: addAddressMailbox(issued.token, ctx.env.mailDomain),
    expiresAt: issued.expiresAt,
  };
}
