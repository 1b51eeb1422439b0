import type { Sequelize } from 'sequelize-typescript';
import type { Logger } from 'pino';
import { jobOf, type ModuleJobs } from '../platform/background/background-jobs';
import { StockFiguresPublisher } from './stock-figures.publisher';

/** The inventory module's background work: publishing the live stock figures of changed products. */
export function inventoryJobs(sequelize: Sequelize, logger: Logger): ModuleJobs<{ stockFigures: StockFiguresPublisher }> {
  const stockFigures = new StockFiguresPublisher(sequelize, logger);
  return { stockFigures, jobs: [jobOf('stock figures publication', stockFigures, () => stockFigures.publishOnce())] };
}
