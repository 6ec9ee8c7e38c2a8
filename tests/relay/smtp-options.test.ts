import { generateKeyPairSync } from 'node:crypto';
import { simpleParser } from 'mailparser';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Db } from '@renraku/db';
import { createTestDatabase, type TestDatabase } from '@renraku/db/testing';
import {
  addFamilies,
  createDistrictWithClass,
  messageDone,
  sendMessage,
  simpleFamilies,
  startTestDispatcher,
  waitFor,
} from '../dispatch/fixtures';
import { startSink, type Sink, type SinkMail } from '../dispatch/smtp-sink';
import { verifyDkim } from './dkim-verify';

// The dispatcher's relay connections: DKIM signing of both renditions (UTF-8 and the feature
// phones' ISO-2022-JP), checked by an independent verifier; and a carrier's limit of mails per
// SMTP connection (docomo: 100 per session), counted by the receiving server per connection.

let database: TestDatabase;
let db: Db;
let sink: Sink;
let fixture: Awaited<ReturnType<typeof createDistrictWithClass>>;

beforeAll(async () => {
  database = await createTestDatabase();
  db = database.handle.db;
  sink = await startSink();
  fixture = await createDistrictWithClass(db, 'みなと第二小学校');
});

afterAll(async () => {
  await sink?.close();
  await database?.drop();
});

/** Sends one district-wide message with a dispatcher of these settings; returns its mails. */
async function sendWith(env: Record<string, string>): Promise<SinkMail[]> {
  const seen = sink.mails.length;
  const dispatcher = await startTestDispatcher(db, sink.url, { env });
  try {
    const { id } = await sendMessage(db, {
      districtId: fixture.district.id,
      authorId: fixture.board.id,
      target: { kind: 'district' },
      subject: '① 臨時休校（髙橋先生より）',
    });
    await waitFor(() => messageDone(db, id));
  } finally {
    await dispatcher.stop();
  }
  return sink.mails.slice(seen);
}

describe('DKIM signing', () => {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const pem = privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
  let mails: SinkMail[];

  beforeAll(async () => {
    await addFamilies(db, [
      [{ klass: fixture.klass, name: '署名 一郎', addresses: ['sig@example.jp'] }],
      [{ klass: fixture.klass, name: '署名 二郎', addresses: ['sig@docomo.ne.jp'] }],
    ]);
    mails = await sendWith({
      DKIM_DOMAIN: 'renraku.test',
      DKIM_SELECTOR: 'renraku2025',
      // As an env file carries it: on one line with \n.
      DKIM_PRIVATE_KEY: pem.replace(/\n/g, '\\n'),
    });
  });

  it('signs every mail, UTF-8 and ISO-2022-JP, so that it verifies with the public key', async () => {
    expect(mails.map((mail) => mail.to).sort()).toEqual(['sig@docomo.ne.jp', 'sig@example.jp']);
    for (const mail of mails) {
      const verified = verifyDkim(mail.raw, publicKey);
      expect(verified).toMatchObject({ domain: 'renraku.test', selector: 'renraku2025' });
      expect(verified.headers).toEqual(
        expect.arrayContaining(['from', 'to', 'subject', 'message-id', 'date']),
      );
    }
    const jis = mails.find((mail) => mail.to.endsWith('docomo.ne.jp'))!;
    expect(jis.raw).toMatch(/charset=ISO-2022-JP/i);
    // The signature is a header in front: the mail still reads as written.
    expect((await simpleParser(jis.raw)).subject).toBe('【緊急連絡】(1) 臨時休校（高橋先生より）');
  });

  it('is checked for real: a changed body, subject or key does not verify', () => {
    const mail = mails[0]!;
    const otherKey = generateKeyPairSync('rsa', { modulusLength: 2048 }).publicKey;
    expect(() => verifyDkim(mail.raw, otherKey)).toThrow('signature mismatch');
    expect(() => verifyDkim(mail.raw.replace(/\r\n\r\n(.)/, '\r\n\r\nX$1'), publicKey)).toThrow(
      'body hash mismatch',
    );
    expect(() =>
      verifyDkim(mail.raw.replace(/^Subject: /m, 'Subject: =?UTF-8?B?5YGH?= '), publicKey),
    ).toThrow('signature mismatch');
  });

  it('leaves mail unsigned when no key is configured', async () => {
    await addFamilies(db, [
      [{ klass: fixture.klass, name: '無署名 三郎', addresses: ['plain@example.jp'] }],
    ]);
    const unsigned = await sendWith({});
    expect(unsigned.length).toBeGreaterThan(0);
    for (const mail of unsigned) expect(mail.raw).not.toMatch(/^DKIM-Signature:/im);
  });
});

describe('mails per SMTP connection', () => {
  let mails: SinkMail[];

  beforeAll(async () => {
    await addFamilies(db, [
      ...simpleFamilies(fixture.klass, 250, (i) => `session-${i}@docomo.ne.jp`),
      ...simpleFamilies(fixture.klass, 30, (i) => `session-${i}@example.jp`),
    ]);
    // Two connections for everything: without a pool of its own, docomo's 250 mails would
    // ride them 125 and more each.
    mails = (
      await sendWith({ CARRIER_LIMITS: 'docomo.ne.jp=2/100', DISPATCH_CONCURRENCY: '2' })
    ).filter((mail) => mail.to.startsWith('session-'));
  });

  it('carries at most 100 docomo mails per connection, on connections of their own', () => {
    const docomo = mails.filter((mail) => mail.to.endsWith('@docomo.ne.jp'));
    expect(docomo).toHaveLength(250);
    const perSession = new Map<string, number>();
    for (const mail of docomo)
      perSession.set(mail.session, (perSession.get(mail.session) ?? 0) + 1);
    expect(Math.max(...perSession.values())).toBeLessThanOrEqual(100);
    expect(perSession.size).toBeGreaterThanOrEqual(3);
    // Everyone else's pool has no such limit and never shares a docomo connection.
    const others = mails.filter((mail) => mail.to.endsWith('@example.jp'));
    expect(others).toHaveLength(30);
    for (const mail of others) expect(perSession.has(mail.session)).toBe(false);
  });
});
