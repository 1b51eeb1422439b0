import { Router } from 'express';
import type { OrdersService } from './orders.service';
import { createOrdersController } from './orders.controller';

export function createOrdersRouter(orders: OrdersService): Router {
  const c = createOrdersController(orders);
  const router = Router();
  router.get('/orders', c.listOrders);
  router.post('/orders', c.createOrder);
  router.get('/orders/:id', c.getOrder);
  router.get('/orders/:id/history', c.getOrderHistory);
  router.post('/orders/:id/status', c.changeOrderStatus);
  router.post('/orders/:id/cancel', c.cancelOrder);
  router.post('/orders/:id/payments', c.createPayment);
  router.post('/orders/:id/shipments', c.createShipment);
  router.post('/orders/:id/shipments/:shipmentId/cancel', c.cancelShipment);
  router.post('/orders/:id/cancel-remaining', c.cancelRemaining);
  router.get('/orders/:id/refunds', c.listOrderRefunds);
  router.post('/orders/:id/refunds', c.createRefund);
  return router;
}
