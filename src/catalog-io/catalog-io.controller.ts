import type { Request, Response } from 'express';
import type { QueryOf } from '../platform/http/contract';
import { actorOf } from '../platform/http/async-handler';
import { sendStored } from '../platform/idempotency';
import type { ProductsService } from '../products';
import type { OrdersService } from '../orders';
import { exportOrders, exportProducts } from './exports';
import type { ProductImporter } from './product-import';
import { readRequestFile } from './request-file';

export interface CatalogIoDeps {
  products: ProductsService;
  orders: OrdersService;
  importer: ProductImporter;
  maxImportBytes: number;
}

/** Once the CSV has started, a failure can no longer be a problem: the response is cut short instead. */
async function streamed(res: Response, write: () => Promise<void>): Promise<void> {
  try {
    await write();
  } catch (err) {
    if (!res.headersSent) throw err;
    res.destroy(err instanceof Error ? err : new Error(String(err)));
  }
}

export function createCatalogIoController(deps: CatalogIoDeps) {
  return {
    async exportProducts(req: Request, res: Response): Promise<void> {
      await streamed(res, () => exportProducts(deps.products, req.query as QueryOf<'exportProducts'>, actorOf(req), res));
    },
    async exportOrders(req: Request, res: Response): Promise<void> {
      await streamed(res, () => exportOrders(deps.orders, req.query as QueryOf<'exportOrders'>, actorOf(req), res));
    },
    async createProductImport(req: Request, res: Response): Promise<void> {
      const actor = actorOf(req);
      const q = req.query as QueryOf<'createProductImport'>;
      const file = await readRequestFile(req, deps.maxImportBytes);
      const result = await deps.importer.run(
        { file, dialect: q.dialect, dryRun: q.dryRun === true, acceptLanguage: req.header('accept-language'), idempotencyKey: req.header('idempotency-key') },
        actor,
      );
      sendStored(res, result);
    },
  };
}
