export { ProductModel } from './product.model';
export { ProductSearchWordModel } from './product-search-word.model';
export { ProductsService } from './products.service';
export { createProductsRouter } from './products.routes';
export type { ProductRecord } from './product.repository';
export { barcodeProblem, gtinCheckDigit } from './barcode';
export { catalogImport, type ImportField, type ImportRowRecord, type ImportRowFinding, type ImportCounts, type StockLevels } from './catalog-import';
