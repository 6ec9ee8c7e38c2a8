import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import {
  isAutomaticMail,
  isMachineAddress,
  messageIdOf,
  parseHeaderBlock,
  readMessage,
} from './message';

const header = (text: string) => parseHeaderBlock(Buffer.from(text, 'latin1'));

describe('parseHeaderBlock', () => {
  it('reads folded fields up to the blank line, names lower-cased', () => {
    const fields = header(
      'From: Parent\r\n <p@docomo.ne.jp>\r\nSUBJECT : x\r\n\r\nBody: not a header\r\n',
    );
    expect(fields?.get('from')).toEqual([' Parent <p@docomo.ne.jp>']);
    expect(fields?.get('subject')).toEqual([' x']);
    expect(fields?.has('body')).toBe(false);
  });

  it('accepts a mail that is all header, with LF line ends too', () => {
    expect(header('From: <p@au.com>\nSubject: s\n')?.get('subject')).toEqual([' s']);
  });

  it.each([
    ['garbage', 'hello world\r\n'],
    ['a leading continuation', ' x: y\r\nFrom: <p@au.com>\r\n'],
    ['no From', 'Subject: s\r\n\r\n'],
    ['two From fields', 'From: a@b.jp\r\nFrom: c@d.jp\r\n'],
    ['nothing at all', ''],
    ['a blank line first', '\r\nFrom: <p@au.com>\r\n'],
    ['binary', '\u0000\u00ff\u0080: x\r\nFrom: <p@au.com>\r\n'],
  ])('refuses %s', (_name, text) => {
    expect(header(text)).toBeUndefined();
  });
});

describe('isAutomaticMail', () => {
  const auto = (extra: string, from = 'Parent <parent@docomo.ne.jp>') =>
    isAutomaticMail(header(`From: ${from}\r\n${extra}`)!);

  it('answers a person', () => {
    expect(auto('')).toBe(false);
    expect(auto('Auto-Submitted: no\r\n')).toBe(false);
    expect(auto('Auto-Submitted: No (comment)\r\n')).toBe(false);
    expect(auto('Precedence: first-class\r\n')).toBe(false);
    expect(auto('X-Auto-Response-Suppress: DR, RN\r\n')).toBe(false);
  });

  it.each([
    'Auto-Submitted: auto-generated\r\n',
    'Auto-Submitted: auto-replied; owner-email="x@y"\r\n',
    'Auto-Submitted: no\r\nAuto-Submitted: auto-notified\r\n',
    'Auto-Submitted:\r\n',
    'Precedence: Bulk\r\n',
    'Precedence: junk\r\n',
    'Precedence: list\r\n',
    'List-Id: <pta.example.jp>\r\n',
    'List-Unsubscribe: <mailto:u@example.jp>\r\n',
    'X-Autoreply: yes\r\n',
    'X-Autorespond: vacation\r\n',
    'X-Auto-Response-Suppress: All\r\n',
    'X-Auto-Response-Suppress: DR, OOF\r\n',
  ])('leaves %s unanswered', (extra) => {
    expect(auto(extra)).toBe(true);
  });

  it.each([
    'MAILER-DAEMON@mx.example.jp',
    '"Mail Delivery System" <Postmaster@example.jp>',
    'owner-pta@example.jp',
    'pta-request@example.jp',
    'noreply@example.jp',
  ])('leaves mail from %s unanswered', (from) => {
    expect(auto('', from)).toBe(true);
  });

  it('knows machine envelope senders', () => {
    expect(isMachineAddress('mailer-daemon@docomo.ne.jp')).toBe(true);
    expect(isMachineAddress('taro.postmaster@docomo.ne.jp')).toBe(false);
  });
});

describe('messageIdOf', () => {
  it('keeps a well-formed id and drops anything that could break a header', () => {
    expect(messageIdOf(header('From: a@b.jp\r\nMessage-ID:  <x.1@docomo.ne.jp> \r\n')!)).toBe(
      '<x.1@docomo.ne.jp>',
    );
    for (const id of ['x@y', '<a b@c>', '<a@b><c@d>', `<${'a'.repeat(300)}@b>`, '<>']) {
      expect(messageIdOf(header(`From: a@b.jp\r\nMessage-ID: ${id}\r\n`)!)).toBeUndefined();
    }
  });
});

describe('readMessage', () => {
  it('returns the message within the limit and undefined past it, reading to the end', async () => {
    const chunks = () => [Buffer.alloc(600, 'a'), Buffer.alloc(600, 'b')];
    expect((await readMessage(Readable.from(chunks()), 1200))?.length).toBe(1200);
    const stream = Readable.from(chunks());
    expect(await readMessage(stream, 1000)).toBeUndefined();
    expect(stream.readableEnded).toBe(true);
  });

  it('throws when the stream breaks off', async () => {
    const stream = new Readable({ read() {} });
    stream.push(Buffer.from('From: a@b.jp\r\n'));
    setImmediate(() => stream.destroy(new Error('connection lost')));
    await expect(readMessage(stream, 1000)).rejects.toThrow('connection lost');
  });
});
