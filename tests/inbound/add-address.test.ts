import { createAddAddressToken, schema } from '@renraku/db';
import { addAddressMailbox } from '@renraku/shared';
import { blindIndex, decryptAddress, hashToken } from '@renraku/shared/crypto';
import { eq, sql } from 'drizzle-orm';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  countTokens,
  createRegistration,
  findTokenRow,
  keys,
  MAIL_DOMAIN,
  SCHOOL_NAME,
  sendMail,
  sendMailRejected,
  tokenInLink,
  useInbound,
} from './harness';

// A logged-in parent adds an address: the page shows add-<token>@MAIL_DOMAIN, an empty mail
// from the new address to it is answered with a confirmation link that the web completes.

const t = useInbound();
let registrationId: number;

beforeAll(async () => {
  registrationId = await createRegistration(t, 'touen-taro');
});

describe('adding an address by mail', () => {
  it('answers with a confirmation link carrying the new address, and uses up the mailbox', async () => {
    const mailbox = await createAddAddressToken(t.db, registrationId, 1800);
    const to = addAddressMailbox(mailbox.token, MAIL_DOMAIN);
    expect(to).toMatch(/^add-[0-9a-f]{32}@renraku\.test$/);

    await sendMail(t.inbound.port, { from: 'new-phone@au.com', to, text: '' });
    expect(t.relay.mails).toHaveLength(1);
    const reply = t.relay.mails[0]!;
    expect(reply.envelopeTo).toEqual(['new-phone@au.com']);
    expect(reply.parsed.headers.get('auto-submitted')).toBe('auto-replied');
    // Nothing about the registration: neither the school nor the child.
    const everything = `${reply.parsed.from?.text ?? ''}${reply.parsed.subject ?? ''}${reply.parsed.text ?? ''}`;
    for (const secret of [SCHOOL_NAME, '太郎', 'touen-taro'])
      expect(everything).not.toContain(secret);

    const confirmation = await findTokenRow(
      t.db,
      tokenInLink(reply, '/account/addresses/confirm/'),
    );
    expect(confirmation).toMatchObject({
      purpose: 'add_address',
      registrationId,
      usedAt: null,
      blindIndex: blindIndex(keys, 'new-phone@au.com'),
      carrierDomain: 'au.com',
    });
    expect(decryptAddress(keys, confirmation!.addressCiphertext!)).toBe('new-phone@au.com');
    expect((await findTokenRow(t.db, mailbox.token))?.usedAt).not.toBeNull();

    // The mailbox is single-use: a second mail to it is refused.
    const again = await sendMailRejected(t.inbound.port, { from: 'other@au.com', to, text: '' });
    expect(again.responseCode).toBe(550);
    expect(await countTokens(t.db)).toBe(2);
  });

  it('accepts the mailbox in upper case, as some phones send it', async () => {
    const mailbox = await createAddAddressToken(t.db, registrationId, 1800);
    await sendMail(t.inbound.port, {
      from: 'upper@docomo.ne.jp',
      to: addAddressMailbox(mailbox.token, MAIL_DOMAIN).toUpperCase(),
      text: '',
    });
    expect(t.relay.mails).toHaveLength(1);
  });

  it('refuses an expired mailbox with 550 and stores nothing', async () => {
    const mailbox = await createAddAddressToken(t.db, registrationId, 1800);
    await t.db
      .update(schema.registrationTokens)
      .set({ expiresAt: sql`now() - interval '1 second'` })
      .where(eq(schema.registrationTokens.id, mailbox.id));
    const error = await sendMailRejected(t.inbound.port, {
      from: 'late@docomo.ne.jp',
      to: addAddressMailbox(mailbox.token, MAIL_DOMAIN),
      text: '',
    });
    expect(error.responseCode).toBe(550);
    expect(t.relay.mails).toHaveLength(0);
    expect(await countTokens(t.db)).toBe(1);
  });

  it('does not open a mailbox for a confirmation token', async () => {
    const mailbox = await createAddAddressToken(t.db, registrationId, 1800);
    await sendMail(t.inbound.port, {
      from: 'first@docomo.ne.jp',
      to: addAddressMailbox(mailbox.token, MAIL_DOMAIN),
      text: '',
    });
    // Make the confirmation token look like a mailbox token: only its lack of an address does.
    const confirmation = await findTokenRow(
      t.db,
      tokenInLink(t.relay.mails[0]!, '/account/addresses/confirm/'),
    );
    const hexToken = 'c'.repeat(32);
    await t.db
      .update(schema.registrationTokens)
      .set({ tokenHash: hashToken(hexToken) })
      .where(eq(schema.registrationTokens.id, confirmation!.id));
    const error = await sendMailRejected(t.inbound.port, {
      from: 'second@docomo.ne.jp',
      to: addAddressMailbox(hexToken, MAIL_DOMAIN),
      text: '',
    });
    expect(error.responseCode).toBe(550);
  });

  it('gives the mailbox back when the reply cannot be sent, so the retry works', async () => {
    const mailbox = await createAddAddressToken(t.db, registrationId, 1800);
    const mail = {
      from: 'flaky@softbank.ne.jp',
      to: addAddressMailbox(mailbox.token, MAIL_DOMAIN),
      text: '',
    };
    t.relay.refuse.add('flaky@softbank.ne.jp');
    expect((await sendMailRejected(t.inbound.port, mail)).responseCode).toBe(451);
    expect((await findTokenRow(t.db, mailbox.token))?.usedAt).toBeNull();
    expect(await countTokens(t.db)).toBe(1);

    t.relay.refuse.clear();
    await sendMail(t.inbound.port, mail);
    expect(t.relay.mails).toHaveLength(1);
    expect(await countTokens(t.db)).toBe(2);
  });
});

describe('logs', () => {
  it('never name an address', () => {
    expect(t.logs.some((line) => line.includes('address confirmation sent'))).toBe(true);
    expect(t.logs.filter((line) => line.includes('@'))).toEqual([]);
  });
});
