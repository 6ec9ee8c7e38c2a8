import { blindIndex, decryptAddress, hashToken } from '@renraku/shared/crypto';
import { describe, expect, it } from 'vitest';
import {
  countTokens,
  findTokenRow,
  keys,
  MAIL_DOMAIN,
  rawSmtp,
  SCHOOL_ADDRESS,
  SCHOOL_NAME,
  sendMail,
  sendMailRejected,
  tokenInLink,
  useInbound,
} from './harness';

// Leaflet ①②: an empty mail to the school's registration address is answered with a
// single-use link; everything that is not such a mail is refused or left unanswered.

const t = useInbound({ maxMessageBytes: 16 * 1024 });

describe('an empty mail to a registration address', () => {
  it('is answered with a link whose token hash is stored with the school and the address', async () => {
    const sender = 'Taro.Parent@docomo.ne.jp';
    const info = await sendMail(t.inbound.port, {
      from: sender,
      // Parents type or scan the address in any case.
      to: SCHOOL_ADDRESS.replace('touen', 'TOUEN'),
      subject: '',
      text: '',
      messageId: '<empty-1@docomo.ne.jp>',
    });
    expect(info.rejected).toEqual([]);

    expect(t.relay.mails).toHaveLength(1);
    const reply = t.relay.mails[0]!;
    expect(reply.envelopeTo).toEqual([sender]);
    expect(reply.envelopeFrom).toBe(`no-reply@${MAIL_DOMAIN}`);
    expect(reply.parsed.from?.value[0]).toEqual({
      name: SCHOOL_NAME,
      address: `no-reply@${MAIL_DOMAIN}`,
    });
    expect(reply.parsed.headers.get('auto-submitted')).toBe('auto-replied');
    expect(reply.parsed.inReplyTo).toBe('<empty-1@docomo.ne.jp>');
    expect(reply.parsed.references).toBe('<empty-1@docomo.ne.jp>');
    expect(reply.parsed.text).toContain('新規登録の人はこちら');
    expect(reply.parsed.text).toContain('登録済みの人');
    expect(reply.parsed.text).toContain('有効期限');

    const token = tokenInLink(reply, '/r/');
    const row = await findTokenRow(t.db, token);
    expect(row).toMatchObject({
      purpose: 'register',
      schoolId: t.schoolId,
      registrationId: null,
      usedAt: null,
      blindIndex: blindIndex(keys, sender),
      carrierDomain: 'docomo.ne.jp',
    });
    expect(decryptAddress(keys, row!.addressCiphertext!)).toBe(sender.toLowerCase());
    // About 24 hours, by the database's clock.
    const hours = (row!.expiresAt.getTime() - row!.createdAt.getTime()) / 3_600_000;
    expect(hours).toBeCloseTo(24, 3);
    // Only the hash is stored: the raw token appears in no column.
    expect(row!.tokenHash).toBe(hashToken(token));
    expect(JSON.stringify(row)).not.toContain(token);
    expect(await countTokens(t.db)).toBe(1);
  });

  it('ignores whatever subject and body a phone insisted on', async () => {
    await sendMail(t.inbound.port, {
      from: 'hanako@ezweb.ne.jp',
      to: SCHOOL_ADDRESS,
      subject: '登録',
      text: 'よろしくお願いします。\n'.repeat(20),
      attachments: [{ filename: 'memo.txt', content: 'x' }],
    });
    expect(t.relay.mails).toHaveLength(1);
    const row = await findTokenRow(t.db, tokenInLink(t.relay.mails[0]!, '/r/'));
    expect(row?.schoolId).toBe(t.schoolId);
    expect(decryptAddress(keys, row!.addressCiphertext!)).toBe('hanako@ezweb.ne.jp');
  });

  it('answers a repeated mail with a new link and leaves the earlier one valid', async () => {
    const mail = { from: 'again@softbank.ne.jp', to: SCHOOL_ADDRESS, text: '' };
    await sendMail(t.inbound.port, mail);
    await sendMail(t.inbound.port, mail);
    expect(t.relay.mails).toHaveLength(2);
    const [first, second] = t.relay.mails.map((reply) => tokenInLink(reply, '/r/'));
    expect(first).not.toBe(second);
    expect((await findTokenRow(t.db, first!))?.usedAt).toBeNull();
    expect((await findTokenRow(t.db, second!))?.usedAt).toBeNull();
  });

  it('answers an 8-bit subject (raw Shift_JIS) like any other', async () => {
    const session = rawSmtp(t.inbound.port);
    await session.greeting;
    await session.say('EHLO phone.example\r\n');
    expect(await session.say('MAIL FROM:<sjis@au.com>\r\n')).toMatch(/^250/);
    expect(await session.say(`RCPT TO:<${SCHOOL_ADDRESS}>\r\n`)).toMatch(/^250/);
    expect(await session.say('DATA\r\n')).toMatch(/^354/);
    const data = Buffer.concat([
      Buffer.from('From: <sjis@au.com>\r\nSubject: '),
      Buffer.from([0x93, 0x6f, 0x98, 0x5e]), // 登録 in Shift_JIS
      Buffer.from('\r\nMessage-ID: <x@au.com>\r\n\r\n.\r\n'),
    ]);
    expect(await session.say(data)).toMatch(/^250/);
    session.end();
    expect(t.relay.mails).toHaveLength(1);
  });
});

describe('mail that is not answered', () => {
  it('refuses an unknown recipient at RCPT with 550 and stores nothing', async () => {
    for (const to of [
      'nobody@renraku.test',
      'touen-e@other.test',
      `add-${'0'.repeat(32)}@${MAIL_DOMAIN}`,
    ]) {
      const error = await sendMailRejected(t.inbound.port, {
        from: 'p@docomo.ne.jp',
        to,
        text: '',
      });
      expect(error.responseCode).toBe(550);
    }
    expect(t.relay.mails).toHaveLength(0);
    expect(await countTokens(t.db)).toBe(0);
  });

  it('refuses oversized mail with 552, by the SIZE parameter and on the stream', async () => {
    const big = 'x'.repeat(20 * 1024);
    // nodemailer does not announce SIZE; the stream check refuses it.
    const error = await sendMailRejected(t.inbound.port, {
      from: 'big@docomo.ne.jp',
      to: SCHOOL_ADDRESS,
      text: big,
    });
    expect(error.responseCode).toBe(552);

    const session = rawSmtp(t.inbound.port);
    await session.greeting;
    expect(await session.say('EHLO phone.example\r\n')).toContain(`SIZE ${16 * 1024}`);
    expect(await session.say('MAIL FROM:<big@docomo.ne.jp> SIZE=100000\r\n')).toMatch(/^552/);
    session.end();

    expect(t.relay.mails).toHaveLength(0);
    expect(await countTokens(t.db)).toBe(0);
  });

  it.each([
    ['Auto-Submitted: auto-generated', { 'Auto-Submitted': 'auto-generated' }],
    ['Auto-Submitted: auto-replied (vacation)', { 'Auto-Submitted': 'auto-replied; owner=x' }],
    ['Precedence: bulk', { Precedence: 'bulk' }],
    ['a mailing list (List-Id)', { 'List-Id': '<pta.example.jp>' }],
  ])('accepts but never answers %s', async (_name, headers) => {
    const info = await sendMail(t.inbound.port, {
      from: 'robot@example.jp',
      to: SCHOOL_ADDRESS,
      text: '',
      headers,
    });
    expect(info.accepted).toEqual([SCHOOL_ADDRESS]);
    expect(t.relay.mails).toHaveLength(0);
    expect(await countTokens(t.db)).toBe(0);
  });

  it('accepts but never answers a mail system sender', async () => {
    await sendMail(t.inbound.port, {
      from: 'MAILER-DAEMON@example.jp',
      to: SCHOOL_ADDRESS,
      text: '',
    });
    await sendMail(t.inbound.port, {
      envelope: { from: 'bounces@example.jp', to: SCHOOL_ADDRESS },
      from: 'postmaster@example.jp',
      to: SCHOOL_ADDRESS,
      text: '',
    });
    expect(t.relay.mails).toHaveLength(0);
    expect(await countTokens(t.db)).toBe(0);
  });

  it('accepts but never answers the null sender (MAIL FROM:<>)', async () => {
    const session = rawSmtp(t.inbound.port);
    await session.greeting;
    await session.say('EHLO mta.example\r\n');
    expect(await session.say('MAIL FROM:<>\r\n')).toMatch(/^250/);
    expect(await session.say(`RCPT TO:<${SCHOOL_ADDRESS}>\r\n`)).toMatch(/^250/);
    expect(await session.say('DATA\r\n')).toMatch(/^354/);
    expect(
      await session.say('From: <parent@docomo.ne.jp>\r\nSubject: bounce\r\n\r\nbody\r\n.\r\n'),
    ).toMatch(/^250/);
    expect(await session.say('QUIT\r\n')).toMatch(/^221/);
    session.end();
    expect(t.relay.mails).toHaveLength(0);
    expect(await countTokens(t.db)).toBe(0);
  });

  it('accepts and drops mail to the bounce return path and to no-reply', async () => {
    const info = await sendMail(t.inbound.port, {
      from: 'parent@docomo.ne.jp',
      to: [`bounce+abc123@${MAIL_DOMAIN}`, `no-reply@${MAIL_DOMAIN}`],
      text: 'a reply to the registration mail',
    });
    expect(info.accepted).toHaveLength(2);
    expect(t.relay.mails).toHaveLength(0);
    expect(await countTokens(t.db)).toBe(0);
  });

  it('answers 451 and keeps no token when the relay refuses the reply', async () => {
    t.relay.refuse.add('unreachable@docomo.ne.jp');
    const error = await sendMailRejected(t.inbound.port, {
      from: 'unreachable@docomo.ne.jp',
      to: SCHOOL_ADDRESS,
      text: '',
    });
    expect(error.responseCode).toBe(451);
    expect(await countTokens(t.db)).toBe(0);
  });
});

describe('logs', () => {
  it('name schools and blind-index prefixes, never an address', () => {
    expect(t.logs.some((line) => line.includes('"school":"touen-e"'))).toBe(true);
    expect(t.logs.some((line) => line.includes('"senderRef"'))).toBe(true);
    expect(t.logs.filter((line) => line.includes('@'))).toEqual([]);
  });
});
