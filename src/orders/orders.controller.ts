import type { Request, Response } from 'express';
import type { QueryOf, RequestBody } from '../platform/http/contract';
import { actorOf } from '../platform/http/async-handler';
import { API_BASE } from '../platform/http/api-base';
import { sendStored } from '../platform/idempotency';
import type { OrdersService } from './orders.service';

export function createOrdersController(orders: OrdersService) {
  const id = (req: Request): string => String(req.params['id']);
  return {
    async listOrders(req: Request, res: Response): Promise<void> {
      const q = req.query as QueryOf<'listOrders'>;
      res.json(await orders.list({ ...q, limit: q.limit ?? 20 }, actorOf(req)));
    },
    async createOrder(req: Request, res: Response): Promise<void> {
      const result = await orders.place(req.body as RequestBody<'createOrder'>, actorOf(req), req.header('idempotency-key'));
      res.location(`${API_BASE}/orders/${result.body.id}`);
      sendStored(res, result);
    },
    async getOrder(req: Request, res: Response): Promise<void> {
      res.json(await orders.get(id(req), actorOf(req)));
    },
    async getOrderHistory(req: Request, res: Response): Promise<void> {
      res.json(await orders.history(id(req), actorOf(req)));
    },
    async changeOrderStatus(req: Request, res: Response): Promise<void> {
      const body = req.body as RequestBody<'changeOrderStatus'>;
      res.json(await orders.changeStatus(id(req), body.status, body.reason ?? null, actorOf(req)));
    },
    async cancelOrder(req: Request, res: Response): Promise<void> {
      const body = (req.body ?? {}) as RequestBody<'cancelOrder'>;
      res.json(await orders.cancel(id(req), body.reason ?? null, actorOf(req)));
    },
    async createPayment(req: Request, res: Response): Promise<void> {
      const body = req.body as RequestBody<'createPayment'>;
      const result = await orders.createPayment(id(req), body, actorOf(req), req.header('idempotency-key'));
      // A Stripe payment carries its PaymentIntent's client secret: no cache may keep it.
      res.setHeader('Cache-Control', 'no-store');
      sendStored(res, result);
    },
    async createShipment(req: Request, res: Response): Promise<void> {
      const body = req.body as RequestBody<'createShipment'>;
      sendStored(res, await orders.createShipment(id(req), body, actorOf(req), req.header('idempotency-key')));
    },
    async cancelShipment(req: Request, res: Response): Promise<void> {
      const body = (req.body ?? {}) as NonNullable<RequestBody<'cancelShipment'>>;
      const shipmentId = String(req.params['shipmentId']).toLowerCase();
      sendStored(res, await orders.cancelShipment(id(req), shipmentId, body.reason ?? null, actorOf(req), req.header('idempotency-key')));
    },
    async cancelRemaining(req: Request, res: Response): Promise<void> {
      const body = req.body as RequestBody<'cancelRemaining'>;
      sendStored(res, await orders.cancelRemaining(id(req), body.reason, actorOf(req), req.header('idempotency-key')));
    },
    async listOrderRefunds(req: Request, res: Response): Promise<void> {
      res.json(await orders.refunds(id(req), actorOf(req)));
    },
    async createRefund(req: Request, res: Response): Promise<void> {
      const body = req.body as RequestBody<'createRefund'>;
      sendStored(res, await orders.refund(id(req), body, actorOf(req), req.header('idempotency-key')));
    },
  };
}
