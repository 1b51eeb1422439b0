import { productImportRepository as stage } from './product-import.repository';

export type { ImportField, ImportRowRecord, ImportRowFinding, ImportCounts, StockLevels } from './product-import.repository';

/**
 * The catalog's side of a CSV import (src/catalog-io drives it), inside the importer's transaction:
 * stage the checked rows, match them to products by SKU, report what the database finds wrong and
 * what would change, then write it. Stock levels are inventory's (`stockTargets` hands them over).
 */
export const catalogImport = {
  lockImports: stage.lockImports,
  createStage: stage.createStage,
  stage: stage.stage,
  resolve: stage.resolve,
  findings: stage.findings,
  counts: stage.counts,
  apply: stage.apply,
  stockTargets: stage.stockTargets,
  lowStockCrossings: stage.lowStockCrossings,
};
