import type { Db } from '../platform/db/db';
import type { Logger } from 'pino';
import { jobOf, type ModuleJobs } from '../platform/background/background-jobs';
import { StockFiguresPublisher } from './stock-figures.publisher';

/** The inventory module's background work: publishing the live stock figures of changed products. */
export function inventoryJobs(db: Db, logger: Logger): ModuleJobs<{ stockFigures: StockFiguresPublisher }> {
  const stockFigures = new StockFiguresPublisher(db, logger);
  return { stockFigures, jobs: [jobOf('stock figures publication', stockFigures, () => stockFigures.publishOnce())] };
}
