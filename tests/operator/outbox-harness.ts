import nodemailer from 'nodemailer';
import { createTestDatabase, type TestDatabase } from '@renraku/db/testing';
import { startCatcher, type Catcher } from '../../apps/dispatcher/src/catcher';
import { startWeb } from '../../apps/web/server/index';
import { testWebContext, type RunningWeb } from '../support/web';

// The embedded mode's mail catcher behind the built web's /dev/outbox, filled over real SMTP:
// one parent's registration reply, then a district send that overflows the broadcast store.

/** Small stores, so that a few mails show what a real district send does to 2,000. */
export const KEEP = { broadcast: 6, transactional: 4 };
export const BROADCASTS = 9;
export const REPLY_TO = 'sato.mother@docomo.ne.jp';
/** A long address without a break opportunity, as some carriers' addresses are. */
export const LONG_ADDRESS = `${'k'.repeat(40)}.${'m'.repeat(20)}@ezweb.ne.jp`;

export interface OutboxWorld {
  base: string;
  close(): Promise<void>;
}

export async function startOutboxWorld(): Promise<OutboxWorld> {
  const database: TestDatabase = await createTestDatabase();
  const catcher: Catcher = await startCatcher({
    port: 0,
    keepBroadcast: KEEP.broadcast,
    keepTransactional: KEEP.transactional,
  });
  const smtp = nodemailer.createTransport({ host: '127.0.0.1', port: catcher.port, secure: false });
  await smtp.sendMail({
    from: '学校緊急連絡メール <no-reply@renraku.test>',
    to: REPLY_TO,
    subject: '【中央小学校】登録のご案内',
    text: '登録はこちら: http://renraku.test/r/abc',
    headers: { 'Auto-Submitted': 'auto-replied' },
  });
  for (let n = 1; n <= BROADCASTS; n++) {
    const to = n === BROADCASTS ? LONG_ADDRESS : `parent${n}@example.jp`;
    await smtp.sendMail({
      envelope: { from: `bounce+${n}-sig@renraku.test`, to: [to] },
      from: 'みなと市教育委員会 <no-reply@renraku.test>',
      to,
      subject: `【緊急連絡】大雪のため臨時休校とします（${n}）`,
      text: '本日は臨時休校です。',
      headers: { 'List-Id': '<minato.renraku.test>' },
    });
  }
  smtp.close();
  const web: RunningWeb = await startWeb({ ...testWebContext(database), outbox: catcher.outbox });
  return {
    base: `http://127.0.0.1:${web.port}`,
    async close() {
      await web.close();
      await catcher.close();
      await database.drop();
    },
  };
}
