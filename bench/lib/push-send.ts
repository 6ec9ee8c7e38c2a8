import { rowsOf, schema } from '@renraku/db';
import { sealPushSubscription } from '@renraku/shared/crypto';
import { sql } from 'drizzle-orm';
import { startMockPushService, vapidKeys } from '../../tests/push/mock-push-service';
import type { BenchCity } from './population';
import { HERE, type Report } from './report';
import { runSend } from './send';
import type { BenchServices } from './services';

// Push as the second channel of the city's send: every registration has one device subscribed
// to the tests' mock push service, which runs in this process and checks the JWT and decrypts
// every push. One message then goes to every address and every device, sent by the dispatcher
// process, and each channel's rate is read from the database: its deliveries over the time
// from the message's first claim to its channel's last acceptance.

/** Subscriptions inserted per statement. */
const CHUNK = 2000;

interface ChannelRate {
  channel: 'mail' | 'push';
  deliveries: number;
  accepted: number;
  seconds: number;
  perSecond: number;
}

export async function measurePushSend(
  services: BenchServices,
  city: BenchCity,
  smtpUrl: string,
  report: Report,
  log: (line: string) => void,
): Promise<void> {
  const { db, keys } = services;
  const vapid = { ...vapidKeys(), subject: 'mailto:bench@renraku.test' };
  const mock = await startMockPushService({ vapidPublicKey: vapid.publicKey });
  try {
    const registrations = rowsOf<{ id: number }>(
      await db.execute(sql`select id from registrations where district_id = ${city.districtId}`),
    );
    for (let i = 0; i < registrations.length; i += CHUNK) {
      await db.insert(schema.pushSubscriptions).values(
        registrations.slice(i, i + CHUNK).map(({ id }) => ({
          districtId: city.districtId,
          registrationId: id,
          ...sealPushSubscription(keys, mock.subscribe()),
        })),
      );
    }
    log(`push: ${registrations.length} devices subscribed; sending to every address and device …`);
    const run = await runSend(services, city, smtpUrl, {
      settings: {
        VAPID_PUBLIC_KEY: vapid.publicKey,
        VAPID_PRIVATE_KEY: vapid.privateKey,
        VAPID_SUBJECT: vapid.subject,
        PUSH_ALLOW_LOOPBACK_FOR_TESTS: 'true',
      },
    });
    const rates = rowsOf<ChannelRate>(
      await db.execute(sql`
        select d.channel, count(*)::int as deliveries,
          (count(*) filter (where d.state = 'accepted'))::int as accepted,
          extract(epoch from max(d.accepted_at) - m.started_at)::float8 as seconds
        from deliveries d join messages m on m.id = d.message_id
        where d.message_id = ${run.messageId}
        group by d.channel, m.started_at order by d.channel`),
    ).map((rate) => ({ ...rate, perSecond: Math.round(rate.deliveries / rate.seconds) }));
    const byChannel = Object.fromEntries(rates.map((rate) => [rate.channel, rate]));
    const push = byChannel.push;
    const mail = byChannel.mail;
    log(
      `push: ${push?.perSecond}/s pushes beside ${mail?.perSecond}/s mails, dispatcher peak ${run.dispatcher.peakRssMiB} MiB`,
    );
    report.add(
      'push',
      'pushes/s beside mails/s, one message to both channels',
      `${push?.perSecond} / ${mail?.perSecond}`,
      `${HERE}; ${push?.accepted} of ${push?.deliveries} pushes accepted, the mock decrypted ${mock.received.length}`,
    );
    report.add(
      'push',
      'dispatcher RSS MiB at start / peak',
      `${run.dispatcher.startRssMiB} / ${run.dispatcher.peakRssMiB}`,
      'bar < 200',
    );
    report.set('push', {
      devices: registrations.length,
      received: mock.received.length,
      rejected: mock.rejected.length,
      maxInFlight: mock.maxInFlight,
      channels: byChannel,
      send: run,
    });
  } finally {
    // The later sections send by mail alone.
    await db.execute(sql`delete from push_subscriptions where district_id = ${city.districtId}`);
    await mock.close();
  }
}
