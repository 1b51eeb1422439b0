import type { Tx } from '../platform/db/db';
import { NotFoundError } from '../platform/errors';
import type { Actor, RequestBody } from '../platform/http/contract';
import type { StoredResult } from '../platform/idempotency';
import type { Page } from '../platform/http/pagination';
import type { PaymentEvent, PaymentProviderName, PaymentView, RefundView } from '../payments';
import type { ShipmentView, TrackingEvent } from '../shipping';
import type { OrderContext } from './order-context';
import type { HistoryEntry, OrderSummary, OrderView } from './order-view';
import { orderRepository as orders } from './order.repository';
import { placeOrder } from './place-order';
import { checkOrderVisible, getOrder, listOrders, orderHistory, type OrderQuery } from './read-orders';
import { changeStatus } from './change-status';
import { cancelOrder } from './cancel-order';
import { payOrder } from './pay-order';
import { shipOrder } from './ship-order';
import { cancelShipment } from './cancel-shipment';
import { cancelRemaining } from './cancel-remaining';
import { listOrderRefunds, refundOrder } from './refund-order';
import { applyPaymentEvent, applyTrackingEvent, refundOrphanPayment } from './apply-provider-events';
import { expireOverdue } from './expire-orders';

/** An order line as the orders export writes it. */
export interface ExportLine {
  sku: string;
  name: string;
  quantity: number;
  shippedQuantity: number;
  cancelledQuantity: number;
  vatRate: number;
  unitPriceCents: number;
  netCents: number;
  vatCents: number;
  grossCents: number;
}

/** Who reads an order for a background job: it sees every order, as staff do. */
const BACKGROUND_READER: Actor = { id: '00000000-0000-0000-0000-000000000000', role: 'operator' };

/**
 * Orders orchestrate: one use case per file, this class only hands each its context. Paying and
 * shipping go through `payments` and `shipping`, stock through `inventory`.
 */
export class OrdersService {
  constructor(private readonly ctx: OrderContext) {}

  place(input: RequestBody<'createOrder'>, actor: Actor, idempotencyKey: string | undefined): Promise<StoredResult<OrderView>> {
    return placeOrder(this.ctx, input, actor, idempotencyKey);
  }

  get(id: string, actor: Actor): Promise<OrderView> {
    return getOrder(this.ctx, id, actor);
  }

  /** The order as staff see it, for background readers (the mail fan-out), inside `tx` when given; null when there is none. */
  async view(id: string, tx?: Tx): Promise<OrderView | null> {
    try {
      return await getOrder(this.ctx, id, BACKGROUND_READER, tx);
    } catch (err) {
      if (err instanceof NotFoundError) return null;
      throw err;
    }
  }

  list(query: OrderQuery, actor: Actor): Promise<Page<OrderSummary>> {
    return listOrders(this.ctx, query, actor);
  }

  /**
   * A page of the orders export (staff): the list's page (same filters, keyset order) with every
   * line of its orders, priced as the order shows them.
   */
  async exportPage(query: OrderQuery, actor: Actor): Promise<{ orders: (OrderSummary & { lines: ExportLine[] })[]; nextCursor: string | null }> {
    const page = await listOrders(this.ctx, query, actor);
    const items = await orders.itemsOfOrders(
      this.ctx.db,
      page.items.map((o) => o.id),
    );
    const byOrder = new Map<string, ExportLine[]>();
    for (const item of items) {
      const line: ExportLine = {
        sku: item.sku,
        name: item.name,
        quantity: item.quantity,
        shippedQuantity: item.shippedQuantity,
        cancelledQuantity: item.cancelledQuantity,
        vatRate: item.vatRate,
        unitPriceCents: item.unitPriceCents,
        netCents: Number(item.netCents),
        vatCents: Number(item.vatCents),
        grossCents: Number(item.grossCents),
      };
      const list = byOrder.get(item.orderId) ?? [];
      list.push(line);
      byOrder.set(item.orderId, list);
    }
    return { orders: page.items.map((o) => ({ ...o, lines: byOrder.get(o.id) ?? [] })), nextCursor: page.nextCursor };
  }

  /** 404 unless the order exists and the actor may see it (for what other modules list under an order: its mails). */
  checkVisible(id: string, actor: Actor): Promise<void> {
    return checkOrderVisible(this.ctx, id, actor);
  }

  history(id: string, actor: Actor): Promise<{ items: HistoryEntry[] }> {
    return orderHistory(this.ctx, id, actor);
  }

  changeStatus(id: string, to: 'in_preparation' | 'delivered' | 'cancelled', reason: string | null, actor: Actor): Promise<OrderView> {
    return changeStatus(this.ctx, id, to, reason, actor);
  }

  cancel(id: string, reason: string | null, actor: Actor): Promise<OrderView> {
    return cancelOrder(this.ctx, id, reason, actor);
  }

  createPayment(orderId: string, input: RequestBody<'createPayment'>, actor: Actor, idempotencyKey: string | undefined): Promise<StoredResult<PaymentView>> {
    return payOrder(this.ctx, orderId, input, actor, idempotencyKey);
  }

  createShipment(orderId: string, input: RequestBody<'createShipment'>, actor: Actor, idempotencyKey: string | undefined): Promise<StoredResult<ShipmentView>> {
    return shipOrder(this.ctx, orderId, input, actor, idempotencyKey);
  }

  cancelShipment(
    orderId: string,
    shipmentId: string,
    reason: string | null,
    actor: Actor,
    idempotencyKey: string | undefined,
  ): Promise<StoredResult<OrderView>> {
    return cancelShipment(this.ctx, orderId, shipmentId, reason, actor, idempotencyKey);
  }

  cancelRemaining(id: string, reason: string, actor: Actor, idempotencyKey: string | undefined): Promise<StoredResult<OrderView>> {
    return cancelRemaining(this.ctx, id, reason, actor, idempotencyKey);
  }

  /** A refund staff ask for: recorded under the order's lock, made at the provider after the commit. */
  refund(orderId: string, input: RequestBody<'createRefund'>, actor: Actor, idempotencyKey: string | undefined): Promise<StoredResult<RefundView>> {
    return refundOrder(this.ctx, orderId, input, actor, idempotencyKey);
  }

  refunds(orderId: string, actor: Actor): Promise<{ items: RefundView[] }> {
    return listOrderRefunds(this.ctx, orderId, actor);
  }

  applyPaymentEvent(tx: Tx, event: PaymentEvent): Promise<string> {
    return applyPaymentEvent(this.ctx, tx, event);
  }

  refundOrphanPayment(provider: PaymentProviderName, providerPaymentId: string): Promise<void> {
    return refundOrphanPayment(this.ctx, provider, providerPaymentId);
  }

  applyTrackingEvent(tx: Tx, event: TrackingEvent): Promise<string> {
    return applyTrackingEvent(this.ctx, tx, event);
  }

  expireOverdue(batchSize?: number): Promise<number> {
    return expireOverdue(this.ctx, batchSize);
  }

  /** Whether any order names the product (products archive such a product instead of deleting it). */
  isProductOrdered(tx: Tx, productId: string): Promise<boolean> {
    return orders.isProductOrdered(tx, productId);
  }
}
