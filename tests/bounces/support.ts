import { eq } from 'drizzle-orm';
import nodemailer from 'nodemailer';
import { schema, type Db } from '@renraku/db';
import type { MessageChanged, MessageFinished } from '@renraku/shared';
import { createLogger } from '@renraku/shared/logger';
import { startInboundServer, type InboundServer } from '../../apps/dispatcher/src/inbound';
import { fixture } from '../../apps/dispatcher/src/inbound/bounces/fixture-mail';
import { blindIndex } from '@renraku/shared/crypto';
import { keys } from '../dispatch/fixtures';

// The inbound server with the dispatch tests' keys (so it verifies the dispatcher's VERP
// tags), recording what bounce intake announces.

export interface BounceServer {
  inbound: InboundServer;
  changed: MessageChanged[];
  finished: MessageFinished[];
}

export async function startBounceServer(db: Db): Promise<BounceServer> {
  const changed: MessageChanged[] = [];
  const finished: MessageFinished[] = [];
  const inbound = await startInboundServer({
    db,
    keys,
    logger: createLogger('bounce-test', 'silent'),
    host: '127.0.0.1',
    port: 0,
    mailDomain: 'renraku.test',
    publicUrl: 'https://renraku.example.jp',
    sendReply: () => Promise.reject(new Error('bounces are never answered')),
    status: {
      messageChanged: (event) => changed.push(event),
      messageFinished: (event) => finished.push(event),
    },
  });
  return { inbound, changed, finished };
}

/** Delivers a fixture to a return path from the null sender, as a relay sends a DSN. */
export async function sendBounce(
  port: number,
  returnPath: string,
  name: string,
  envelopeId?: string,
): Promise<string> {
  const tag = /^bounce\+([^@]+)@/.exec(returnPath)?.[1] ?? 'none';
  const transport = nodemailer.createTransport({ host: '127.0.0.1', port, secure: false });
  try {
    const info = await transport.sendMail({
      envelope: { from: '', to: [returnPath] },
      raw: fixture(name, tag, envelopeId ?? tag.split('-')[0]),
    });
    return String(info.response);
  } finally {
    transport.close();
  }
}

/** The address rows of one mailbox (every registration that holds it). */
export async function addressesOf(db: Db, address: string) {
  return db
    .select()
    .from(schema.addresses)
    .where(eq(schema.addresses.blindIndex, blindIndex(keys, address)));
}

export async function deliveryRow(db: Db, id: number) {
  const [row] = await db.select().from(schema.deliveries).where(eq(schema.deliveries.id, id));
  return row!;
}

export async function bounceReportsOf(db: Db, deliveryId: number) {
  return db
    .select()
    .from(schema.bounceReports)
    .where(eq(schema.bounceReports.deliveryId, deliveryId));
}
