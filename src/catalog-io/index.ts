export { createCatalogIoRouter } from './catalog-io.routes';
export type { CatalogIoDeps } from './catalog-io.controller';
export { ProductImporter, type ImportReport } from './product-import';
