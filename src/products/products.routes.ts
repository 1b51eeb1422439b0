import { Router } from 'express';
import type { InventoryService } from '../inventory';
import type { ProductsService } from './products.service';
import { createProductsController } from './products.controller';

export function createProductsRouter(products: ProductsService, inventory: InventoryService): Router {
  const c = createProductsController(products, inventory);
  const router = Router();
  router.get('/products', c.listProducts);
  router.post('/products', c.createProduct);
  router.get('/products/:id', c.getProduct);
  router.patch('/products/:id', c.updateProduct);
  router.delete('/products/:id', c.deleteProduct);
  router.get('/products/:id/stock-movements', c.listStockMovements);
  router.post('/products/:id/stock-movements', c.createStockMovement);
  return router;
}
