import { inArray } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listCallListHouseholds, schema, type Db } from '@renraku/db';
import { createTestDatabase, type TestDatabase } from '@renraku/db/testing';
import type { MessageChanged } from '@renraku/shared';
import { createInProcessBus } from '@renraku/shared/bus';
import { startInbound, type InboundServer } from '@renraku/dispatcher';
import { addressesOf } from '../bounces/support';
import {
  addFamilies,
  createDistrictWithClass,
  deliveriesOf,
  dispatcherEnv,
  keys,
  sendMessage,
  silentLogger,
  startTestDispatcher,
  waitFor,
} from '../dispatch/fixtures';
import { startSink, type Sink } from '../dispatch/smtp-sink';
import { freePort } from '../support/ports';
import { startPrivatePostfix, type PrivatePostfix } from './postfix';

// End to end through a real relay: the dispatcher hands every mail to a private Postfix, which
// relays to a test server that rejects the r550- recipients. Postfix answers the dispatcher
// 250 for all of them and only later writes its own delivery status notifications (failure
// for the rejected, "relayed" success for the others) to the VERP return paths, which lead to
// the inbound server. Those alone must bring the deliveries, the addresses' health and the
// call list to the truth.

const ACCEPTED = ['ok-a@example.jp', 'ok-d@docomo.ne.jp', 'ok-e@gmail.com'];
const REJECTED = [
  'r550-b@docomo.ne.jp',
  'r550-c1@ezweb.ne.jp',
  'r550-c2@example.jp',
  'r550-d@softbank.ne.jp',
];

let database: TestDatabase;
let db: Db;
let sink: Sink;
let inbound: InboundServer;
let postfix: PrivatePostfix;
let dispatcher: Awaited<ReturnType<typeof startTestDispatcher>>;
const changed: MessageChanged[] = [];
let households: number[];
let messageId: number;

beforeAll(async () => {
  database = await createTestDatabase();
  db = database.handle.db;
  sink = await startSink();
  const bus = createInProcessBus();
  await bus.subscribe('messageChanged', (event) => void changed.push(event));
  const postfixPort = await freePort();
  const postfixUrl = `smtp://127.0.0.1:${postfixPort}`;
  inbound = await startInbound({
    env: dispatcherEnv(postfixUrl, { INBOUND_SMTP_HOST: '127.0.0.1', INBOUND_SMTP_PORT: '0' }),
    db,
    bus,
    keys,
    logger: silentLogger,
  });
  postfix = await startPrivatePostfix({
    listen: postfixPort,
    relayhost: Number(new URL(sink.url).port),
    inbound: inbound.port,
    mailDomain: 'renraku.test',
  });
  dispatcher = await startTestDispatcher(db, postfix.url, { bus });
  const { district, board, klass } = await createDistrictWithClass(db, 'みなと第三小学校');
  const child = (name: string, addresses: string[]) => [{ klass, name, addresses }];
  ({ householdIds: households } = await addFamilies(db, [
    child('到達 あ', ['ok-a@example.jp']),
    child('不達 び', ['r550-b@docomo.ne.jp']),
    // Both addresses bounce: the household joins the call list.
    child('不達 し', ['r550-c1@ezweb.ne.jp', 'r550-c2@example.jp']),
    // One of two bounces: the other still reaches them, no call needed.
    child('半分 で', ['ok-d@docomo.ne.jp', 'r550-d@softbank.ne.jp']),
    child('到達 い', ['ok-e@gmail.com']),
  ]));
  ({ id: messageId } = await sendMessage(db, {
    districtId: district.id,
    authorId: board.id,
    target: { kind: 'district' },
  }));
  // Every delivery settled by a notification from Postfix, however long Postfix takes.
  await waitFor(async () => {
    const rows = await deliveriesOf(db, messageId);
    return rows.length === 7 && rows.every((row) => ['delivered', 'bounced'].includes(row.state));
  }, 60_000).catch(async (error: Error) => {
    throw new Error(`${error.message}; Postfix log:\n${await postfix.log()}`);
  });
}, 120_000);

afterAll(async () => {
  await dispatcher?.stop();
  await postfix?.stop();
  await inbound?.close();
  await sink?.close();
  await database?.drop();
});

describe('through a real Postfix', () => {
  it('relayed the mail: the accepted ones reached the next hop by way of Postfix', () => {
    expect(sink.mails.map((mail) => mail.to).sort()).toEqual([...ACCEPTED].sort());
    for (const mail of sink.mails) {
      expect(mail.raw).toMatch(/^Received: from .*\r?\n\s+by relay\.renraku\.test \(Postfix\)/m);
      expect(mail.envelopeFrom).toMatch(/^bounce\+\d+-[0-9a-f]{24}@renraku\.test$/);
    }
  });

  it("ends each delivery as Postfix's own notifications say: delivered or bounced", async () => {
    const rows = await deliveriesOf(db, messageId);
    const states = rows.map((row) => row.state).sort();
    expect(states).toEqual([...Array(3).fill('delivered'), ...Array(4).fill('bounced')].sort());
    const reports = await db
      .select()
      .from(schema.bounceReports)
      .where(
        inArray(
          schema.bounceReports.deliveryId,
          rows.map((row) => row.id),
        ),
      );
    // One RFC 3464 report per delivery, read from Postfix's multipart/report.
    expect(reports).toHaveLength(7);
    for (const report of reports) expect(report.format).toBe('rfc3464');
    const failures = reports.filter((report) => report.kind === 'failed');
    expect(failures).toHaveLength(4);
    for (const report of failures) {
      expect(report.status).toMatch(/^5\./);
      expect(report.smtpCode).toBe(550);
      // Postfix quotes the recipient; nothing of it is stored.
      expect(report.diagnostic).not.toMatch(/r550-/);
    }
  });

  it('marks the rejected addresses dead and keeps the others active', async () => {
    for (const address of REJECTED) {
      expect((await addressesOf(db, address)).map((row) => row.health)).toEqual(['dead']);
    }
    for (const address of ACCEPTED) {
      expect((await addressesOf(db, address)).map((row) => row.health)).toEqual(['active']);
    }
  });

  it('puts exactly the households whose every address bounced on the call list', async () => {
    const listed = await listCallListHouseholds(db, messageId);
    expect(listed.map((household) => household.householdId).sort()).toEqual(
      [households[1], households[2]].sort(),
    );
    expect(listed.map((household) => household.reason)).toEqual(['failed', 'failed']);
  });

  it('announced the bounces and successes on the bus, as dashboards hear them', () => {
    const heard = changed.filter((event) => event.messageId === messageId);
    // Each of the 7 reports was announced, besides the dispatcher's claim and its write.
    expect(heard.length).toBeGreaterThanOrEqual(7 + 2);
    expect(changed.every((event) => Object.keys(event).join() === 'messageId')).toBe(true);
  });
});
