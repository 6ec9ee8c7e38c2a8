import { describe, expect, it } from 'vitest';
import { fixture } from './fixture-mail';
import { readBounce, withoutAddresses, type DeliveryReport } from './report';

async function reportOf(name: string): Promise<DeliveryReport> {
  const read = await readBounce(fixture(name));
  if (read.kind !== 'report') throw new Error(`${name} was read as ${read.kind}`);
  return read.report;
}

describe('readBounce', () => {
  it.each([
    ['postfix-dsn-failed', 'failed', '5.1.1', 550, 'rfc3464'],
    ['dsn-base64', 'failed', '5.1.1', 550, 'rfc3464'],
    ['postfix-dsn-soft', 'failed', '4.2.2', 452, 'rfc3464'],
    ['postfix-dsn-delayed', 'delayed', '4.4.1', null, 'rfc3464'],
    ['postfix-dsn-delivered', 'delivered', '2.0.0', 250, 'rfc3464'],
    ['postfix-plain', 'failed', '5.1.1', 550, 'postfix'],
    ['exim-failed', 'failed', '5.1.1', 550, 'exim'],
    ['exim-delayed', 'delayed', '4.7.1', 451, 'exim'],
    ['qmail-failed', 'failed', '5.1.1', null, 'qmail'],
    ['au-failed', 'failed', '5.1.1', 550, 'carrier'],
    ['carrier-ja', 'failed', '5.7.1', null, 'carrier'],
  ] as const)('reads %s', async (name, action, status, smtpCode, format) => {
    const report = await reportOf(name);
    expect(report).toMatchObject({ action, status, smtpCode, format });
    expect(report.diagnostic ?? '').not.toMatch(/@/);
  });

  it('returns the envelope id of an RFC 3464 report', async () => {
    expect((await reportOf('postfix-dsn-failed')).envelopeId).toBe('42');
    expect((await reportOf('exim-failed')).envelopeId).toBeNull();
  });

  it('takes the weightiest recipient block of a report', async () => {
    const text = fixture('postfix-dsn-delivered')
      .toString('latin1')
      .replace(
        'Action: relayed',
        'Action: delivered\r\n\r\nFinal-Recipient: rfc822; x@y.jp\r\nAction: failed\r\nStatus: 5.2.1',
      );
    const read = await readBounce(Buffer.from(text, 'latin1'));
    expect(read).toMatchObject({ kind: 'report', report: { action: 'failed', status: '5.2.1' } });
  });

  it('knows an auto-reply is no bounce', async () => {
    expect(await readBounce(fixture('vacation'))).toEqual({ kind: 'auto_reply' });
    const xAuto = Buffer.from('From: a@b.jp\r\nX-Autoreply: yes\r\nSubject: x\r\n\r\naway\r\n');
    expect(await readBounce(xAuto)).toEqual({ kind: 'auto_reply' });
  });

  it.each(['malformed-report', 'garbage'])(
    'keeps %s as unparsed, without addresses',
    async (name) => {
      const read = await readBounce(fixture(name));
      expect(read.kind).toBe('unparsed');
      expect(JSON.stringify(read)).not.toMatch(/@/);
    },
  );

  it.each([
    ['empty', Buffer.alloc(0)],
    ['binary', Buffer.from([0, 255, 128, 10, 13, 0])],
    ['header only', Buffer.from('Subject: x\r\n')],
    [
      'report without recipients',
      Buffer.from('Content-Type: message/delivery-status\r\n\r\nReporting-MTA: dns; x\r\n'),
    ],
  ])('survives %s input', async (_name, raw) => {
    expect((await readBounce(raw)).kind).toBe('unparsed');
  });

  it('removes every address from stored text', () => {
    expect(withoutAddresses('550 <a.b@docomo.ne.jp>: x@y.jp unknown')).toBe(
      '550 <recipient>: recipient unknown',
    );
  });
});
