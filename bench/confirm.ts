import { measureConfirmationBurst } from './lib/confirm';
import { createCity } from './lib/population';
import { describeMachine, log, numberOption, Report } from './lib/report';
import { cleanUpOnInterrupt, startServices } from './lib/services';

// `pnpm bench:confirm`: only the confirmation burst on a city (30,000 families, or
// --recipients=N). Updates only the burst's part of bench/results.json.

const args = process.argv.slice(2);
const recipients = numberOption(args, 'recipients', 30_000);
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
