import { measureConfirmationBurst } from './lib/confirm';
import { createCity } from './lib/population';
import { describeMachine, log, Report } from './lib/report';
import { benchOptions } from './lib/options';
import { buildApps } from './lib/processes';
import { cleanUpOnInterrupt, startServices } from './lib/services';

// `pnpm bench:confirm`: only the confirmation burst on a city (30,000 families, or
// --recipients=N). Updates only the burst's part of bench/results.json.

const { recipients } = benchOptions('pnpm bench:confirm', process.argv.slice(2), {
  recipients: { kind: 'number', fallback: 30_000, help: 'the city' },
});
buildApps();
const report = new Report();
const services = await startServices();
cleanUpOnInterrupt([() => services.close()]);
try {
  report.set('machine', await describeMachine(services.db));
  const city = await createCity(services.db, services.keys, recipients);
  await measureConfirmationBurst(services, city, report, log);
} finally {
  await services.close();
}
report.print();
report.write({ key: 'confirmation', tableKey: 'confirmationTable' });
process.exit(0);
