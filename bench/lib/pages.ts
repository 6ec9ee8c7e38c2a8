import autocannon from 'autocannon';
import { sessionCookie } from '../../tests/live/harness';
import { quantile } from './dashboards';
import type { BenchCity } from './population';
import { startWebProcess } from './processes';
import { HERE, type Report } from './report';
import { runSend } from './send';
import type { BenchServices } from './services';

// Pages under load: 50 staff sessions (board cookies of their own) on the dashboard, the call
// list, the message list and the overview while the city's send goes out; each page's latency
// from autocannon's per-response times. Each session reloads its page every 5 s on average (a
// person following a send, whose figures move by socket anyway), as an open loop (autocannon's
// overallRate): the figure is a page's time under 50 sessions' load, not 50 connections queueing
// behind each other as fast as one process answers. (Closed-loop, one web process serves
// about 20 of these pages a second on 2 cores: the dashboard of a 30,000 send is ~200 KB.)

const SESSIONS = 50;
/** Seconds between a session's loads. */
const EVERY_SECONDS = 5;
const DURATION_SECONDS = 10;

const PAGES = {
  dashboard: (messageId: number) => `/staff/messages/${messageId}`,
  callList: (messageId: number) => `/staff/messages/${messageId}/call-list`,
  messageList: () => '/staff/messages',
  overview: () => '/staff/overview',
} as const;

type Page = keyof typeof PAGES;

export interface PageFigures {
  p50Ms: number;
  p95Ms: number;
  p99Ms: number;
  requests: number;
  /** Answers other than 200 (a redirect to the login would show here). */
  errors: number;
}

/** One autocannon instance on `path` with its share of the sessions, until it ends. */
function load(base: string, path: string, cookies: string[]): Promise<PageFigures> {
  const times: number[] = [];
  let errors = 0;
  let next = 0;
  return new Promise((resolve, reject) => {
    const instance = autocannon(
      {
        url: `${base}${path}`,
        connections: cookies.length,
        overallRate: Math.max(1, Math.round(cookies.length / EVERY_SECONDS)),
        duration: DURATION_SECONDS,
        requests: [
          {
            // Each connection keeps the session it was given first.
            setupRequest: (request, context: { cookie?: string }) => {
              context.cookie ??= cookies[next++ % cookies.length];
              return { ...request, headers: { ...request.headers, cookie: context.cookie! } };
            },
          },
        ],
      },
      (error) => {
        if (error) return reject(error);
        const sorted = Float64Array.from(times).sort();
        const at = (q: number) => Math.round(quantile(sorted, q));
        resolve({
          p50Ms: at(0.5),
          p95Ms: at(0.95),
          p99Ms: at(0.99),
          requests: times.length,
          errors,
        });
      },
    );
    instance.on('response', (_client, status: number, _bytes: number, ms: number) => {
      times.push(ms);
      if (status !== 200) errors++;
    });
  });
}

export async function measurePages(
  services: BenchServices,
  city: BenchCity,
  smtpUrl: string,
  report: Report,
  log: (text: string) => void,
): Promise<Record<Page, PageFigures>> {
  const web = await startWebProcess(services.urls(smtpUrl));
  const cookies = await Promise.all(
    Array.from({ length: SESSIONS }, () => sessionCookie(services.db, city.boardId)),
  );
  const pages = Object.keys(PAGES) as Page[];
  try {
    let loads: Promise<PageFigures[]> | undefined;
    log(`pages: ${SESSIONS} sessions on ${pages.join(', ')} during a send …`);
    await runSend(services, city, smtpUrl, {
      beforeDispatch: async (messageId) => {
        loads = Promise.all(
          pages.map((page, i) =>
            load(
              web.base,
              PAGES[page](messageId),
              cookies.filter((_, j) => j % pages.length === i),
            ),
          ),
        );
      },
    });
    const results = await loads!;
    const figures = Object.fromEntries(pages.map((page, i) => [page, results[i]!])) as Record<
      Page,
      PageFigures
    >;
    for (const page of pages) {
      const { p50Ms, p95Ms, p99Ms, requests, errors } = figures[page];
      report.add(
        'pages',
        `${page} p50 / p95 / p99 ms`,
        `${p50Ms} / ${p95Ms} / ${p99Ms}`,
        `${HERE}; ${requests} loads, ${errors} not 200; target p95 < 200`,
      );
    }
    report.set('pages', figures);
    return figures;
  } finally {
    await web.stop();
  }
}
