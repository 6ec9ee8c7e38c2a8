import { sql } from 'drizzle-orm';
import { createApiToken, createMessage, progressCounts, rowsOf } from '@renraku/db';
import { hashToken, randomToken } from '@renraku/shared/crypto';
import { quantile } from './dashboards';
import { startFaultSink } from './fault-sink';
import type { BenchCity } from './population';
import { startDispatcherProcess, startWebProcess } from './processes';
import { HERE, type Report } from './report';
import type { BenchServices } from './services';

// Latency of an emergency, as a board sees it: from `POST /api/v1/messages` (district-wide) to
// the first mail at the relay, over several sends; and a 緊急連絡 posted while a large 教育情報 is
// sending, whose first mail must not wait behind the newsletter and whose mails all go before
// the newsletter's resume. The relay is an in-process SMTP server that stamps each accepted mail
// with its message (from the Message-ID, <renraku.<message>.<delivery>@…>). Once a sample's
// first mail is in, the rest of that message is failed by SQL and left to settle: the figure is
// the first mail, and ten full sends would only lengthen the bench.

const MESSAGE_OF = /^<renraku\.(\d+)\.\d+@/;

export interface LatencyFigures {
  recipients: number;
  firstMailMs: { p50: number; p95: number; max: number; samples: number[] };
  /** POST of the emergency → its first mail, with the newsletter sending. */
  emergencyOvertakeMs: number;
  newsletterRecipients: number;
  /** Newsletter mails accepted after the emergency's first mail + 1 s and before its last. */
  newsletterMailsDuringEmergency: number;
  emergencyMs: number;
}

/** Fails what is left of a message and waits until the dispatcher settled it. */
async function cutShort(services: BenchServices, messageId: number): Promise<void> {
  await services.db.execute(sql`update deliveries set state = 'failed', finished_at = now(),
    reply_text = 'bench: cut short after its first mail'
    where message_id = ${messageId} and state in ('queued', 'deferred')`);
  for (;;) {
    if ((await progressCounts(services.db, messageId))?.messageState === 'done') return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

export async function measureLatency(
  services: BenchServices,
  city: BenchCity,
  newsletterCity: BenchCity,
  samples: number,
  report: Report,
  log: (text: string) => void,
): Promise<LatencyFigures> {
  const firstAt = new Map<number, number>();
  const lastAt = new Map<number, number>();
  const acceptedAt: { messageId: number; at: number }[] = [];
  const sink = await startFaultSink({
    onAccepted(id) {
      const messageId = Number(MESSAGE_OF.exec(id)?.[1] ?? 0);
      const now = performance.now();
      if (!firstAt.has(messageId)) firstAt.set(messageId, now);
      lastAt.set(messageId, now);
      acceptedAt.push({ messageId, at: now });
    },
  });
  const urls = services.urls(sink.url);
  const web = await startWebProcess(urls);
  const dispatcher = await startDispatcherProcess(urls);
  const token = randomToken();
  await createApiToken(services.db, {
    staffUserId: city.boardId,
    name: 'bench latency',
    tokenHash: hashToken(token),
    tokenPrefix: token.slice(0, 6),
  });
  const post = async (subject: string) => {
    const posted = performance.now();
    const response = await fetch(`${web.base}/api/v1/messages`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({
        category: 'emergency_contact',
        subject,
        body: '台風の接近に伴い、本日は市内すべての小中学校を臨時休校とします。',
        target: { kind: 'district' },
        confirm: false,
      }),
    });
    if (response.status !== 201) throw new Error(`POST answered ${response.status}`);
    return { posted, messageId: ((await response.json()) as { id: number }).id };
  };
  const firstMail = async (messageId: number) => {
    while (!firstAt.has(messageId)) await new Promise((resolve) => setTimeout(resolve, 1));
    return firstAt.get(messageId)!;
  };
  try {
    const firstMs: number[] = [];
    for (let n = 1; n <= samples; n++) {
      const { posted, messageId } = await post(`臨時休校のお知らせ（計測${n}）`);
      firstMs.push(Math.round((await firstMail(messageId)) - posted));
      await cutShort(services, messageId);
    }
    log(`latency: first mail after POST ${firstMs.join(', ')} ms`);

    // The newsletter to the other city, sending, then the emergency posted into it.
    const { id: newsletter } = await createMessage(services.db, {
      districtId: newsletterCity.districtId,
      schoolId: null,
      authorId: newsletterCity.boardId,
      category: 'education_info',
      subject: '今月の教育情報',
      body: '学校だよりをお届けします。',
      target: { kind: 'district' },
      scheduledAt: null,
      idempotencyKey: null,
    });
    await services.bus.publish('messageQueued', { messageId: newsletter });
    await firstMail(newsletter);
    await new Promise((resolve) => setTimeout(resolve, 2000));
    const { posted, messageId: emergency } = await post('【至急】臨時休校のお知らせ');
    const overtake = Math.round((await firstMail(emergency)) - posted);
    for (;;) {
      if ((await progressCounts(services.db, emergency))?.messageState === 'done') break;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    const from = firstAt.get(emergency)! + 1000;
    const to = lastAt.get(emergency)!;
    const during = acceptedAt.filter(
      (mail) => mail.messageId === newsletter && mail.at > from && mail.at < to,
    ).length;
    const [left] = rowsOf<{ n: number }>(
      await services.db.execute(sql`select count(*)::int as n from deliveries
        where message_id = ${newsletter} and state in ('queued', 'deferred')`),
    );
    await cutShort(services, newsletter);
    const sorted = Float64Array.from(firstMs).sort();
    const figures: LatencyFigures = {
      recipients: city.recipients,
      firstMailMs: {
        p50: Math.round(quantile(sorted, 0.5)),
        p95: Math.round(quantile(sorted, 0.95)),
        max: Math.round(sorted.at(-1) ?? Number.NaN),
        samples: firstMs,
      },
      emergencyOvertakeMs: overtake,
      newsletterRecipients: newsletterCity.recipients,
      newsletterMailsDuringEmergency: during,
      emergencyMs: Math.round(to - firstAt.get(emergency)!),
    };
    log(
      `latency: emergency's first mail ${overtake} ms after its POST, ${during} newsletter mails meanwhile, ${left?.n ?? 0} newsletter mails still queued`,
    );
    report.add(
      'latency',
      `POST → first mail p50 / p95 ms (${samples} sends of ${city.recipients.toLocaleString('en')})`,
      `${figures.firstMailMs.p50} / ${figures.firstMailMs.p95}`,
      `${HERE}; target p50 < 300`,
    );
    report.add(
      'latency',
      `emergency's first mail behind a ${newsletterCity.recipients.toLocaleString('en')} 教育情報, ms`,
      overtake,
      `${HERE}; target < 1,000`,
    );
    report.add(
      'latency',
      'newsletter mails while the emergency sent',
      during,
      `from its first mail + 1 s to its last (${figures.emergencyMs} ms); target 0`,
    );
    report.set('latency', figures);
    return figures;
  } finally {
    await dispatcher.stop('SIGTERM');
    await web.stop();
    await sink.close();
  }
}
