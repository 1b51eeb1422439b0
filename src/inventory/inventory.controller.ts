import type { Request, Response } from 'express';
import type { QueryOf, RequestBody } from '../platform/http/contract';
import { actorOf } from '../platform/http/async-handler';
import type { InventoryService } from './inventory.service';

export function createInventoryController(inventory: InventoryService) {
  return {
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
