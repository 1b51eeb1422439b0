import { Router } from 'express';
import type { InventoryService } from './inventory.service';
import { createInventoryController } from './inventory.controller';

/** The stock ledger of a product (staff; the validator enforces the roles). */
export function createInventoryRouter(inventory: InventoryService): Router {
  const c = createInventoryController(inventory);
  const router = Router();
  router.get('/products/:id/stock-movements', c.listStockMovements);
  router.post('/products/:id/stock-movements', c.createStockMovement);
  return router;
}
