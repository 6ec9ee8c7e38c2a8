import { measureOverview } from './lib/overview';
import { createCity } from './lib/population';
import { describeMachine, Report } from './lib/report';
import { benchOptions } from './lib/options';
import { buildApps } from './lib/processes';
import { cleanUpOnInterrupt, startServices } from './lib/services';

// `pnpm bench:overview`: only the board's 全体の状況 on a city (30,000 addresses, or
// --recipients=N). Updates only the overview's part of bench/results.json.

const { recipients } = benchOptions('pnpm bench:overview', process.argv.slice(2), {
  recipients: { kind: 'number', fallback: 30_000, help: 'the city' },
});
buildApps();
const report = new Report();
const services = await startServices();
cleanUpOnInterrupt([() => services.close()]);
try {
  report.set('machine', await describeMachine(services.db));
  const city = await createCity(services.db, services.keys, recipients);
  const figures = await measureOverview(services, city, report);
  console.log(`overview: p50 ${figures.p50Ms} ms, p95 ${figures.p95Ms} ms`);
} finally {
  await services.close();
}
report.print();
report.write({ key: 'overview', tableKey: 'overviewTable' });
process.exit(0);
