import { schema } from '@renraku/db';
import { describe, expect, it } from 'vitest';
import {
  countTokens,
  rawSmtp,
  SCHOOL_ADDRESS,
  sendMail,
  sendMailRejected,
  startInbound,
  useInbound,
} from './harness';

// Rate limits and hostile input: over a limit the client is told to come back later, and
// nothing a broken or malicious client sends crashes the server or stores anything.

const t = useInbound({
  senderLimit: { limit: 2, windowSeconds: 3600 },
  clientLimit: { limit: 1000, windowSeconds: 3600 },
});

/** A complete, valid empty mail still gets its link: the server is alive and well. */
async function expectAlive(from: string) {
  const before = t.relay.mails.length;
  await sendMail(t.inbound.port, { from, to: SCHOOL_ADDRESS, text: '' });
  expect(t.relay.mails).toHaveLength(before + 1);
}

describe('rate limits', () => {
  it('tells a sender over its limit to retry later, and stores nothing for it', async () => {
    const mail = { from: 'eager@docomo.ne.jp', to: SCHOOL_ADDRESS, text: '' };
    await sendMail(t.inbound.port, mail);
    await sendMail(t.inbound.port, mail);
    const error = await sendMailRejected(t.inbound.port, mail);
    expect(error.responseCode).toBe(450);
    expect(t.relay.mails).toHaveLength(2);
    expect(await countTokens(t.db)).toBe(2);
    // Counted by the blind index, never by the address in clear.
    const keys = (await t.db.select().from(schema.rateLimits)).map((row) => row.key);
    expect(keys.join(' ')).not.toContain('eager');
    // Another parent is not affected.
    await expectAlive('someone-else@docomo.ne.jp');
  });

  it('tells a client IP over its limit to retry later, whatever the sender', async () => {
    const strict = await startInbound(t.db, t.relay, {
      clientLimit: { limit: 3, windowSeconds: 3600 },
    });
    try {
      for (const n of [1, 2, 3]) {
        await sendMail(strict.port, { from: `p${n}@docomo.ne.jp`, to: SCHOOL_ADDRESS, text: '' });
      }
      const error = await sendMailRejected(strict.port, {
        from: 'p4@docomo.ne.jp',
        to: SCHOOL_ADDRESS,
        text: '',
      });
      expect(error.responseCode).toBe(450);
      expect(t.relay.mails).toHaveLength(3);
      expect(await countTokens(t.db)).toBe(3);
    } finally {
      await strict.close();
    }
  });
});

describe('malformed input', () => {
  it('answers garbage commands with errors and stays up', async () => {
    const session = rawSmtp(t.inbound.port);
    expect(await session.greeting).toMatch(/^220 .*Renraku/);
    expect(await session.say('HELLO there\r\n')).toMatch(/^5/);
    expect(await session.say('MAIL FROM:<p@docomo.ne.jp>\r\n')).toMatch(/^503/); // no EHLO yet
    await session.say('EHLO client.example\r\n');
    expect(await session.say('RCPT TO:<x@y.jp>\r\n')).toMatch(/^503/); // no MAIL yet
    expect(await session.say('MAIL FROM:<<<>>>\r\n')).toMatch(/^5/);
    expect(await session.say('MAIL FROM:<no-domain>\r\n')).toMatch(/^5/);
    expect(await session.say('MAIL FROM:<"quoted local"@docomo.ne.jp>\r\n')).toMatch(/^5/);
    expect(await session.say('AUTH PLAIN AGFhAGJi\r\n')).toMatch(/^5/);
    expect(await session.say('STARTTLS\r\n')).toMatch(/^5/);
    expect(await session.say(`XYZZY ${'x'.repeat(5000)}\r\n`)).toMatch(/^5/);
    expect(await session.say('DATA\r\n')).toMatch(/^503/);
    session.end();
    await expectAlive('after-garbage@docomo.ne.jp');
    expect(await countTokens(t.db)).toBe(1);
  });

  it('refuses 8-bit junk in the envelope and as the message', async () => {
    const session = rawSmtp(t.inbound.port);
    await session.greeting;
    await session.say('EHLO client.example\r\n');
    expect(
      await session.say(
        Buffer.from([
          ...Buffer.from('MAIL FROM:<'),
          0xff,
          0xfe,
          ...Buffer.from('@docomo.ne.jp>\r\n'),
        ]),
      ),
    ).toMatch(/^5/);
    expect(await session.say(Buffer.from([0x00, 0xff, 0x80, 0x0d, 0x0a]))).toMatch(/^5/);
    expect(await session.say('MAIL FROM:<junk@docomo.ne.jp>\r\n')).toMatch(/^250/);
    expect(await session.say(`RCPT TO:<${SCHOOL_ADDRESS}>\r\n`)).toMatch(/^250/);
    expect(await session.say('DATA\r\n')).toMatch(/^354/);
    const junk = Buffer.alloc(2048);
    for (let i = 0; i < junk.length; i++) junk[i] = (i * 151 + 7) % 256;
    const safeJunk = Buffer.from(junk.toString('latin1').replace(/\r?\n\.\r?\n/g, 'xx'), 'latin1');
    expect(await session.say(Buffer.concat([safeJunk, Buffer.from('\r\n.\r\n')]))).toMatch(/^550/);
    session.end();
    expect(t.relay.mails).toHaveLength(0);
    expect(await countTokens(t.db)).toBe(0);
  });

  it('refuses a header-only mail that is not a mail header, and one without From', async () => {
    const session = rawSmtp(t.inbound.port);
    await session.greeting;
    await session.say('EHLO client.example\r\n');
    for (const [n, data] of [
      'this is not a header\r\nneither is this\r\n.\r\n',
      ' starts folded: x\r\nFrom: <p@docomo.ne.jp>\r\n.\r\n',
      'Subject: no author\r\nMessage-ID: <a@b>\r\n.\r\n',
      'From: <p@docomo.ne.jp>\r\nFrom: <q@docomo.ne.jp>\r\n.\r\n',
      '.\r\n',
    ].entries()) {
      await session.say(`MAIL FROM:<broken${n}@docomo.ne.jp>\r\n`);
      await session.say(`RCPT TO:<${SCHOOL_ADDRESS}>\r\n`);
      expect(await session.say('DATA\r\n')).toMatch(/^354/);
      expect(await session.say(data)).toMatch(/^550/);
    }
    session.end();
    expect(t.relay.mails).toHaveLength(0);
    expect(await countTokens(t.db)).toBe(0);
  });

  it('answers a header-only mail with broken MIME like any other: the body is never read', async () => {
    const session = rawSmtp(t.inbound.port);
    await session.greeting;
    await session.say('EHLO client.example\r\n');
    await session.say('MAIL FROM:<mime@docomo.ne.jp>\r\n');
    await session.say(`RCPT TO:<${SCHOOL_ADDRESS}>\r\n`);
    await session.say('DATA\r\n');
    const reply = await session.say(
      'From: <mime@docomo.ne.jp>\r\nMIME-Version: 1.0\r\nContent-Type: multipart/mixed\r\n.\r\n',
    );
    expect(reply).toMatch(/^250/);
    session.end();
    expect(t.relay.mails).toHaveLength(1);
  });

  it('acts on nothing when the client hangs up in the middle of DATA', async () => {
    const session = rawSmtp(t.inbound.port);
    await session.greeting;
    await session.say('EHLO client.example\r\n');
    await session.say('MAIL FROM:<gone@docomo.ne.jp>\r\n');
    await session.say(`RCPT TO:<${SCHOOL_ADDRESS}>\r\n`);
    expect(await session.say('DATA\r\n')).toMatch(/^354/);
    session.write('From: <gone@docomo.ne.jp>\r\nSubject: half\r\n\r\nhalf a body');
    await new Promise<void>((resolve) => session.socket.end(resolve));
    session.end();
    // The next client is served; the half mail left no token and no reply behind.
    await expectAlive('next@docomo.ne.jp');
    expect(t.relay.mails.map((mail) => mail.envelopeTo)).toEqual([['next@docomo.ne.jp']]);
    expect(await countTokens(t.db)).toBe(1);
  });

  it('handles a pipelined transaction and refuses too many recipients', async () => {
    const session = rawSmtp(t.inbound.port);
    await session.greeting;
    expect(await session.say('EHLO client.example\r\n')).toContain('PIPELINING');
    session.write(
      [
        'MAIL FROM:<pipe@docomo.ne.jp>\r\n',
        'RCPT TO:<unknown@renraku.test>\r\n',
        `RCPT TO:<${SCHOOL_ADDRESS}>\r\n`,
        'DATA\r\n',
      ].join(''),
    );
    expect(await session.next()).toMatch(/^250/);
    expect(await session.next()).toMatch(/^550/);
    expect(await session.next()).toMatch(/^250/);
    expect(await session.next()).toMatch(/^354/);
    expect(await session.say('From: <pipe@docomo.ne.jp>\r\n\r\n.\r\n')).toMatch(/^250/);

    await session.say('MAIL FROM:<many@docomo.ne.jp>\r\n');
    const recipients = Array.from(
      { length: 11 },
      (_, n) => `RCPT TO:<bounce+${n}@renraku.test>\r\n`,
    );
    session.write(recipients.join(''));
    const answers = await Promise.all(recipients.map(() => session.next()));
    expect(answers.slice(0, 10).every((answer) => answer.startsWith('250'))).toBe(true);
    expect(answers[10]).toMatch(/^452/);
    expect(await session.say('RSET\r\n')).toMatch(/^250/);
    expect(await session.say('QUIT\r\n')).toMatch(/^221/);
    session.end();
    expect(t.relay.mails).toHaveLength(1);
  });
});

describe('logs', () => {
  it('name limited senders by blind-index prefix, never by address', () => {
    expect(t.logs.some((line) => line.includes('inbound sender over its limit'))).toBe(true);
    expect(t.logs.filter((line) => line.includes('@'))).toEqual([]);
  });
});
