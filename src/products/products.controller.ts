import type { Request, Response } from 'express';
import type { QueryOf, RequestBody } from '../platform/http/contract';
import { actorOf } from '../platform/http/async-handler';
import type { InventoryService } from '../inventory';
import type { ProductsService } from './products.service';

export function createProductsController(products: ProductsService, inventory: InventoryService) {
  return {
    async listProducts(req: Request, res: Response): Promise<void> {
      const q = req.query as QueryOf<'listProducts'>;
      res.json(await products.list({ ...q, limit: q.limit ?? 20 }, actorOf(req)));
    },
    async createProduct(req: Request, res: Response): Promise<void> {
      const { product, etag } = await products.create(req.body as RequestBody<'createProduct'>, actorOf(req));
      res.status(201).setHeader('ETag', etag).location(`/api/v1/products/${product.id}`).json(product);
    },
    async getProduct(req: Request, res: Response): Promise<void> {
      const { product, etag } = await products.get(String(req.params['id']));
      res.setHeader('ETag', etag).json(product);
    },
    async updateProduct(req: Request, res: Response): Promise<void> {
      const { product, etag } = await products.update(String(req.params['id']), req.header('if-match'), req.body as RequestBody<'updateProduct'>);
      res.setHeader('ETag', etag).json(product);
    },
    async deleteProduct(req: Request, res: Response): Promise<void> {
      await products.remove(String(req.params['id']));
      res.status(204).end();
    },
    async listStockMovements(req: Request, res: Response): Promise<void> {
      const q = req.query as QueryOf<'listStockMovements'>;
      res.json(await inventory.listMovements(String(req.params['id']), { limit: q.limit ?? 20, cursor: q.cursor }));
    },
    async createStockMovement(req: Request, res: Response): Promise<void> {
      const body = req.body as RequestBody<'createStockMovement'>;
      const movement = await inventory.recordMovement(String(req.params['id']), { type: body.type, delta: body.delta, reason: body.reason }, actorOf(req));
      res.status(201).json(movement);
    },
  };
}
