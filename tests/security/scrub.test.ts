import type { AddressInfo } from 'node:net';
import { eq } from 'drizzle-orm';
import nodemailer from 'nodemailer';
import { SMTPServer } from 'smtp-server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { schema, type Db } from '@renraku/db';
import { createTestDatabase, type TestDatabase } from '@renraku/db/testing';
import { bounceAddress } from '../../apps/dispatcher/src/mail';
import { startBounceServer, type BounceServer } from '../bounces/support';
import {
  addFamilies,
  createDistrictWithClass,
  deliveriesOf,
  keys,
  messageDone,
  sendMessage,
  startTestDispatcher,
  waitFor,
} from '../dispatch/fixtures';

// Issue 12 item 19, the probe end to end: a relay that refuses a recipient while quoting the
// address in every form (full-width ＠, quoted, percent, encoded word, <…>), and a carrier's
// bounce that does the same, go through the real SMTP paths into PostgreSQL; no column of
// deliveries or bounce_reports may then hold any part of the address.

const REFUSED = 'hanako.suzuki@ezweb.ne.jp';
const BOUNCED = 'taro.yamada@docomo.ne.jp';
const b64 = (text: string) => Buffer.from(text).toString('base64');

/** Every way the tests quote an address; the stored text must hold none of the local part. */
function quotedForms(address: string): string {
  const [local, domain] = address.split('@') as [string, string];
  const wide = address.replace(/[!-~]/g, (ch) => String.fromCharCode(ch.charCodeAt(0) + 0xfee0));
  return [
    `${local}＠${domain}`,
    wide,
    `"${local} x"@${domain}`,
    `${local}%${domain}@relay.example.jp`,
    `${local}%${domain}`,
    `=?UTF-8?B?${b64(address)}?=`,
    `<${address}>`,
  ].join(' ');
}

/** What must never be found: the local part (any case), its halves, the base64 of the address. */
function leaks(rows: unknown[], address: string): string[] {
  const text = JSON.stringify(rows).normalize('NFKC').toLowerCase();
  const [local] = address.split('@') as [string];
  return [local, ...local.split('.'), b64(address).slice(0, 16).toLowerCase()].filter((part) =>
    text.includes(part),
  );
}

let database: TestDatabase;
let db: Db;
let relay: SMTPServer;
let relayUrl: string;
let bounces: BounceServer;
let dispatcher: Awaited<ReturnType<typeof startTestDispatcher>>;
const returnPaths = new Map<string, string>();

beforeAll(async () => {
  database = await createTestDatabase();
  db = database.handle.db;
  relay = new SMTPServer({
    authOptional: true,
    disabledCommands: ['AUTH', 'STARTTLS'],
    logger: false,
    onMailFrom(address, session, callback) {
      (session as unknown as { from: string }).from = address.address;
      callback();
    },
    onRcptTo(address, session, callback) {
      returnPaths.set(address.address, (session as unknown as { from: string }).from);
      if (address.address === REFUSED) {
        const error = new Error(`5.1.1 ${quotedForms(REFUSED)}: user unknown`);
        return callback(Object.assign(error, { responseCode: 550 }));
      }
      callback();
    },
    onData(stream, _session, callback) {
      stream.resume();
      stream.on('end', () => callback());
    },
  });
  await new Promise<void>((resolve) => relay.listen(0, '127.0.0.1', resolve));
  relayUrl = `smtp://127.0.0.1:${(relay.server.address() as AddressInfo).port}`;
  bounces = await startBounceServer(db);
  dispatcher = await startTestDispatcher(db, relayUrl);
});

afterAll(async () => {
  await dispatcher?.stop();
  await bounces?.inbound.close();
  await new Promise<void>((resolve) => (relay ? relay.close(() => resolve()) : resolve()));
  await database?.drop();
});

/** A carrier's DSN for `deliveryId` quoting the address in every form, in both parts. */
function carrierDsn(returnPath: string, deliveryId: number): Buffer {
  const forms = quotedForms(BOUNCED);
  return Buffer.from(
    [
      'From: MAILER-DAEMON@mx.relay.example.jp',
      `To: ${returnPath}`,
      `Subject: =?UTF-8?B?${b64(`Undelivered: ${BOUNCED}`)}?=`,
      'MIME-Version: 1.0',
      'Content-Type: multipart/report; report-type=delivery-status; boundary="b"',
      '',
      '--b',
      'Content-Type: text/plain; charset=utf-8',
      '',
      `${forms}: host mfsmax.docomo.ne.jp said: 550 5.1.1 unknown user`,
      '',
      '--b',
      'Content-Type: message/delivery-status',
      '',
      'Reporting-MTA: dns; mx.relay.example.jp',
      `Original-Envelope-Id: ${deliveryId}`,
      '',
      `Final-Recipient: rfc822; ${BOUNCED}`,
      'Action: failed',
      'Status: 5.1.1',
      `Diagnostic-Code: smtp; 550 5.1.1 ${forms}: Unknown user`,
      '',
      '--b--',
      '',
    ].join('\r\n'),
  );
}

describe('no column holds an address a relay or a bounce quoted (item 19)', () => {
  it('stores a relay refusal without the address, in any form', async () => {
    const { district, board, klass } = await createDistrictWithClass(db, 'みなと第一小学校');
    await addFamilies(db, [
      [{ klass, name: '拒否 花子', addresses: [REFUSED] }],
      [{ klass, name: '不達 太郎', addresses: [BOUNCED] }],
    ]);
    const sent = sendMessage(db, {
      districtId: district.id,
      authorId: board.id,
      target: { kind: 'district' },
    });
    const { id } = await sent;
    await waitFor(() => messageDone(db, id));
    const rows = await deliveriesOf(db, id);
    const refused = rows.find((row) => row.state === 'failed');
    expect(refused).toMatchObject({ replyCode: 550 });
    expect(refused!.replyText).toContain('user unknown');
    expect(leaks(rows, REFUSED)).toEqual([]);

    // The carrier's bounce of the accepted one, through the inbound SMTP server.
    const accepted = rows.find((row) => row.state === 'accepted')!;
    const returnPath = returnPaths.get(BOUNCED)!;
    expect(returnPath).toBe(bounceAddress(keys, 'renraku.test', accepted.id));
    const transport = nodemailer.createTransport({
      host: '127.0.0.1',
      port: bounces.inbound.port,
      secure: false,
    });
    try {
      await transport.sendMail({
        envelope: { from: '', to: [returnPath] },
        raw: carrierDsn(returnPath, accepted.id),
      });
    } finally {
      transport.close();
    }
    const reports = await db
      .select()
      .from(schema.bounceReports)
      .where(eq(schema.bounceReports.deliveryId, accepted.id));
    expect(reports).toHaveLength(1);
    expect(reports[0]).toMatchObject({ kind: 'failed', smtpCode: 550 });
    expect(reports[0]!.diagnostic).toContain('Unknown user');
    const after = await deliveriesOf(db, id);
    expect(after.find((row) => row.id === accepted.id)!.state).toBe('bounced');
    expect(leaks([...after, ...reports], BOUNCED)).toEqual([]);
    expect(leaks([...after, ...reports], REFUSED)).toEqual([]);
  });
});
