import type { Request, Response } from 'express';
import type { QueryOf, RequestBody } from '../platform/http/contract';
import { API_BASE } from '../platform/http/api-base';
import { actorOf } from '../platform/http/async-handler';
import type { ProductsService } from './products.service';

export function createProductsController(products: ProductsService) {
  return {
    async listProducts(req: Request, res: Response): Promise<void> {
      const q = req.query as QueryOf<'listProducts'>;
      res.json(await products.list({ ...q, limit: q.limit ?? 20 }, actorOf(req)));
    },
    async createProduct(req: Request, res: Response): Promise<void> {
      const { product, etag } = await products.create(req.body as RequestBody<'createProduct'>, actorOf(req));
      res.status(201).setHeader('ETag', etag).location(`${API_BASE}/products/${product.id}`).json(product);
    },
    async getProduct(req: Request, res: Response): Promise<void> {
      const { product, etag } = await products.get(String(req.params['id']), actorOf(req));
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
  };
}
