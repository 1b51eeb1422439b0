import { Router } from 'express';
import type { WarehouseAddress } from '../platform/config';
import type { PurchasingService } from './purchasing.service';
import type { SuppliersService } from './suppliers.service';
import { createPurchasingController } from './purchasing.controller';

export function createPurchasingRouter(suppliers: SuppliersService, purchasing: PurchasingService, warehouse: WarehouseAddress | null): Router {
  const c = createPurchasingController(suppliers, purchasing, warehouse);
  const router = Router();
  router.get('/suppliers', c.listSuppliers);
  router.post('/suppliers', c.createSupplier);
  router.get('/suppliers/:id', c.getSupplier);
  router.patch('/suppliers/:id', c.updateSupplier);
  router.get('/purchase-orders', c.listPurchaseOrders);
  router.post('/purchase-orders', c.createPurchaseOrder);
  router.post('/purchase-orders/proposals', c.proposePurchaseOrders);
  router.post('/purchase-orders/proposals/accept', c.acceptPurchaseOrderProposals);
  router.get('/purchase-orders/:id', c.getPurchaseOrder);
  router.patch('/purchase-orders/:id', c.updatePurchaseOrder);
  router.post('/purchase-orders/:id/send', c.sendPurchaseOrder);
  router.post('/purchase-orders/:id/cancel', c.cancelPurchaseOrder);
  router.post('/purchase-orders/:id/receipts', c.createPurchaseReceipt);
  router.get('/purchase-orders/:id/pdf', c.getPurchaseOrderPdf);
  return router;
}
