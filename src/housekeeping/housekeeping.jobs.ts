import type { Logger } from 'pino';
import { jobOf, type ModuleJobs } from '../platform/background/background-jobs';
import { Housekeeper, type ModulePurge } from './housekeeper';

/** The housekeeping module's background work: purging expired rows through each module's own `purges`. */
export function housekeepingJobs(intervalMs: number, logger: Logger, purges: readonly ModulePurge[]): ModuleJobs<{ housekeeper: Housekeeper }> {
  const housekeeper = new Housekeeper(logger, intervalMs, purges);
  return { housekeeper, jobs: [jobOf('housekeeping', housekeeper, () => housekeeper.runOnce())] };
}
