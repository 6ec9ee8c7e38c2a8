import { runFaultDrills } from './lib/faults';
import { describeMachine, log, Report } from './lib/report';
import { benchOptions } from './lib/options';
import { buildApps } from './lib/processes';
import { cleanUpOnInterrupt, startServices } from './lib/services';

// `pnpm bench:faults`: the fault drills alone, on a database and Redis of their own.
// Updates only the fault drills' part of bench/results.json when a full run wrote it.

benchOptions('pnpm bench:faults', process.argv.slice(2), {});
buildApps();
const report = new Report();
const services = await startServices();
cleanUpOnInterrupt([() => services.close()]);
try {
  report.set('machine', await describeMachine(services.db));
  report.set('ranAt', new Date().toISOString());
  report.set('faults', await runFaultDrills(services, report, log));
} finally {
  await services.close();
}
report.print();
report.write({ key: 'faults', tableKey: 'faultsTable' });
process.exit(0);
