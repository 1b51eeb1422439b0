import type { Request, Response } from 'express';
import type { QueryOf, RequestBody } from '../platform/http/contract';
import { API_BASE } from '../platform/http/api-base';
import { actorOf } from '../platform/http/async-handler';
import type { StoredResult } from '../platform/idempotency';
import type { PurchasingService, PurchaseOrderWithEtag } from './purchasing.service';
import type { SuppliersService } from './suppliers.service';
import { purchaseOrderPdf } from './purchase-order-pdf';
import type { WarehouseAddress } from '../platform/config';

const id = (req: Request): string => String(req.params['id']).toLowerCase();

function replayed(res: Response, result: StoredResult<unknown>): void {
  if (result.replayed) res.setHeader('Idempotent-Replayed', 'true');
}

function sendOrder(res: Response, result: StoredResult<PurchaseOrderWithEtag>): void {
  replayed(res, result);
  res.status(result.status);
  if (result.status < 300) res.setHeader('ETag', result.body.etag);
  res.json(result.body.purchaseOrder);
}

export function createPurchasingController(suppliers: SuppliersService, purchasing: PurchasingService, warehouse: WarehouseAddress | null) {
  return {
    async listSuppliers(req: Request, res: Response): Promise<void> {
      const q = req.query as QueryOf<'listSuppliers'>;
      res.json(await suppliers.list({ ...q, limit: q.limit ?? 20 }));
    },
    async createSupplier(req: Request, res: Response): Promise<void> {
      const result = await suppliers.create(req.body as RequestBody<'createSupplier'>, actorOf(req), req.header('idempotency-key'));
      replayed(res, result);
      res.status(result.status).location(`${API_BASE}/suppliers/${result.body.id}`).json(result.body);
    },
    async getSupplier(req: Request, res: Response): Promise<void> {
      res.json(await suppliers.get(id(req)));
    },
    async updateSupplier(req: Request, res: Response): Promise<void> {
      res.json(await suppliers.update(id(req), req.body as RequestBody<'updateSupplier'>));
    },
    async listPurchaseOrders(req: Request, res: Response): Promise<void> {
      const q = req.query as QueryOf<'listPurchaseOrders'>;
      res.json(await purchasing.list({ ...q, supplierId: q.supplierId?.toLowerCase(), limit: q.limit ?? 20 }));
    },
    async createPurchaseOrder(req: Request, res: Response): Promise<void> {
      const result = await purchasing.create(req.body as RequestBody<'createPurchaseOrder'>, actorOf(req), req.header('idempotency-key'));
      res.location(`${API_BASE}/purchase-orders/${result.body.purchaseOrder.id}`);
      sendOrder(res, result);
    },
    async getPurchaseOrder(req: Request, res: Response): Promise<void> {
      const { purchaseOrder, etag } = await purchasing.get(id(req));
      res.setHeader('ETag', etag).json(purchaseOrder);
    },
    async updatePurchaseOrder(req: Request, res: Response): Promise<void> {
      const { purchaseOrder, etag } = await purchasing.update(id(req), req.header('if-match'), req.body as RequestBody<'updatePurchaseOrder'>, actorOf(req));
      res.setHeader('ETag', etag).json(purchaseOrder);
    },
    async sendPurchaseOrder(req: Request, res: Response): Promise<void> {
      sendOrder(res, await purchasing.send(id(req), actorOf(req), req.header('idempotency-key')));
    },
    async cancelPurchaseOrder(req: Request, res: Response): Promise<void> {
      sendOrder(res, await purchasing.cancel(id(req), actorOf(req), req.header('idempotency-key')));
    },
    async createPurchaseReceipt(req: Request, res: Response): Promise<void> {
      const result = await purchasing.receive(id(req), req.body as RequestBody<'createPurchaseReceipt'>, actorOf(req), req.header('idempotency-key'));
      replayed(res, result);
      res.status(result.status).json(result.body);
    },
    async proposePurchaseOrders(_req: Request, res: Response): Promise<void> {
      res.json(await purchasing.propose());
    },
    async acceptPurchaseOrderProposals(req: Request, res: Response): Promise<void> {
      const result = await purchasing.accept(req.body as RequestBody<'acceptPurchaseOrderProposals'>, actorOf(req), req.header('idempotency-key'));
      replayed(res, result);
      res.status(result.status).json(result.body);
    },
    async getPurchaseOrderPdf(req: Request, res: Response): Promise<void> {
      const { order, supplier } = await purchasing.document(id(req));
      const pdf = await purchaseOrderPdf(order, supplier, warehouse);
      res.status(200).setHeader('Content-Type', 'application/pdf').setHeader('Content-Disposition', `inline; filename="${order.number}.pdf"`).send(pdf);
    },
  };
}
