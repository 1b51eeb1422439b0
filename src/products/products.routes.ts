import { Router } from 'express';
import type { ProductsService } from './products.service';
import { createProductsController } from './products.controller';

export function createProductsRouter(products: ProductsService): Router {
  const c = createProductsController(products);
  const router = Router();
  router.get('/products', c.listProducts);
  router.post('/products', c.createProduct);
  router.get('/products/:id', c.getProduct);
  router.patch('/products/:id', c.updateProduct);
  router.delete('/products/:id', c.deleteProduct);
  return router;
}
