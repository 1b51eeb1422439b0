import { Router } from 'express';
import { createCatalogIoController, type CatalogIoDeps } from './catalog-io.controller';

/** Mounted before the products router, so `/products/export` is never taken for a product id. */
export function createCatalogIoRouter(deps: CatalogIoDeps): Router {
  const c = createCatalogIoController(deps);
  const router = Router();
  router.get('/products/export', c.exportProducts);
  router.get('/orders/export', c.exportOrders);
  router.post('/product-imports', c.createProductImport);
  return router;
}
