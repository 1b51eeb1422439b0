import type { Sequelize } from 'sequelize-typescript';
import type { Logger } from 'pino';
import { jobOf, type ModuleJobs } from '../platform/background/background-jobs';
import { Housekeeper, type ModulePurge } from './housekeeper';

/** The housekeeping module's background work: purging expired rows, its own rules and the modules' `purges`. */
export function housekeepingJobs(
  sequelize: Sequelize,
  settings: { housekeepingIntervalMs: number; eventRetentionHours: number },
  logger: Logger,
  purges: readonly ModulePurge[],
): ModuleJobs<{ housekeeper: Housekeeper }> {
  const housekeeper = new Housekeeper(sequelize, logger, settings.housekeepingIntervalMs, settings.eventRetentionHours, purges);
  return { housekeeper, jobs: [jobOf('housekeeping', housekeeper, () => housekeeper.runOnce())] };
}
