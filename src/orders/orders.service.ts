import type { Sequelize } from 'sequelize-typescript';
import { QueryTypes, type Transaction } from 'sequelize';
import type { Logger } from 'pino';
import { AppError, ForbiddenError, NotFoundError, ValidationError } from '../platform/errors';
import { recordEvent } from '../platform/events';
import { decodeCursor, toPage, type Page } from '../platform/http/pagination';
import { isStaff, type Actor, type RequestBody, type Schemas } from '../platform/http/contract';
import type { IdempotencyStore, StoredResult } from '../platform/idempotency';
import type { InventoryService } from '../inventory';
import { assertTransition, HOLDS_RESERVATION, type OrderStatus } from './order-state-machine';
import { lineAmounts, sumTotals } from './order-totals';

export type OrderView = Schemas['Order'];
type OrderSummary = Schemas['OrderSummary'];
type PaymentView = Schemas['Payment'];
type ShipmentView = Schemas['Shipment'];
type HistoryEntry = Schemas['OrderHistoryEntry'];

interface OrderRow {
  id: string;
  number: string;
  customer_id: string;
  status: OrderStatus;
  currency: 'EUR';
  net_cents: string;
  vat_cents: string;
  gross_cents: string;
  shipping_address: Schemas['Address'];
  notes: string | null;
  reserved_until: Date | null;
  created_at: Date;
  updated_at: Date;
  item_count?: string;
}

interface ItemRow {
  product_id: string;
  sku: string;
  name: string;
  quantity: number;
  unit_price_cents: number;
  vat_rate: number;
  net_cents: string;
  vat_cents: string;
  gross_cents: string;
}

interface PaymentRow {
  id: string;
  order_id: string;
  provider: 'manual' | 'stripe';
  status: PaymentView['status'];
  amount_cents: string;
  currency: 'EUR';
  reference: string | null;
  failure_reason: string | null;
  created_at: Date;
}

interface ShipmentRow {
  id: string;
  order_id: string;
  carrier: 'manual' | 'easypost';
  carrier_name: string;
  tracking_code: string;
  tracking_url: string | null;
  label_url: string | null;
  status: ShipmentView['status'];
  created_at: Date;
}

const iso = (d: Date | string): string => new Date(d).toISOString();

function toPaymentView(p: PaymentRow): PaymentView {
  return {
    id: p.id,
    orderId: p.order_id,
    provider: p.provider,
    status: p.status,
    amountCents: Number(p.amount_cents),
    currency: p.currency,
    reference: p.reference,
    failureReason: p.failure_reason,
    createdAt: iso(p.created_at),
  };
}

function toShipmentView(s: ShipmentRow): ShipmentView {
  return {
    id: s.id,
    orderId: s.order_id,
    carrier: s.carrier,
    carrierName: s.carrier_name,
    trackingCode: s.tracking_code,
    trackingUrl: s.tracking_url,
    labelUrl: s.label_url,
    status: s.status,
    createdAt: iso(s.created_at),
  };
}

function totalsOf(row: { net_cents: string; vat_cents: string; gross_cents: string }): Schemas['Totals'] {
  return { netCents: Number(row.net_cents), vatCents: Number(row.vat_cents), grossCents: Number(row.gross_cents) };
}

function toSummary(row: OrderRow): OrderSummary {
  return {
    id: row.id,
    number: row.number,
    customerId: row.customer_id,
    status: row.status,
    totals: totalsOf(row),
    currency: row.currency,
    itemCount: Number(row.item_count ?? 0),
    createdAt: iso(row.created_at),
    updatedAt: iso(row.updated_at),
  };
}

export interface OrderQuery {
  limit: number;
  cursor?: string;
  status?: OrderStatus;
  customerId?: string;
  createdFrom?: string;
  createdTo?: string;
  q?: string;
}

/**
 * Orders: placement with reservation, the life cycle, manual payments and shipments, and the
 * expiry of unpaid orders. Every write locks the order row and writes its history row and event
 * in the same transaction.
 */
export class OrdersService {
  constructor(
    private readonly sequelize: Sequelize,
    private readonly inventory: InventoryService,
    private readonly idempotency: IdempotencyStore,
    private readonly logger: Logger,
    private readonly reservationTtlMinutes: number,
  ) {}

  async place(input: RequestBody<'createOrder'>, actor: Actor, idempotencyKey: string | undefined): Promise<StoredResult<OrderView>> {
    const customerId = await this.resolveCustomer(input.customerId, actor);
    const seen = new Map<string, number>();
    const errors: { path: string; message: string }[] = [];
    input.items.forEach((line, i) => {
      const first = seen.get(line.productId);
      if (first !== undefined) errors.push({ path: `body.items[${i}].productId`, message: `repeats the product of items[${first}]` });
      else seen.set(line.productId, i);
    });
    if (errors.length > 0) throw new ValidationError('The same product may appear only once per order.', errors);

    return this.idempotency.run(
      { userId: actor.id, scope: 'createOrder', key: idempotencyKey, fingerprint: input },
      async (tx) => {
        const reserved = await this.inventory.reserve(tx, input.items);
        const lines = reserved.map((l) => ({ ...l, ...lineAmounts(l) }));
        const totals = sumTotals(lines);
        const [order] = await this.sequelize.query<OrderRow>(
          `INSERT INTO orders (number, customer_id, status, net_cents, vat_cents, gross_cents, shipping_address, notes, reserved_until, created_by)
           VALUES ('QS-' || to_char(now(), 'YYYY') || '-' || lpad(nextval('order_number_seq')::text, 6, '0'),
                   :customerId, 'pending_payment', :net, :vat, :gross, :address::jsonb, :notes,
                   now() + make_interval(mins => :ttl), :createdBy)
           RETURNING *`,
          {
            replacements: {
              customerId,
              net: totals.netCents,
              vat: totals.vatCents,
              gross: totals.grossCents,
              address: JSON.stringify(input.shippingAddress),
              notes: input.notes ?? null,
              ttl: this.reservationTtlMinutes,
              createdBy: actor.id,
            },
            type: QueryTypes.SELECT,
            transaction: tx,
          },
        );
        const row = order as OrderRow;
        await this.sequelize.query(
          `INSERT INTO order_items (order_id, line_no, product_id, sku, name, quantity, unit_price_cents, vat_rate, net_cents, vat_cents, gross_cents)
           SELECT :orderId, l.line_no, l.product_id, l.sku, l.name, l.quantity, l.unit_price_cents, l.vat_rate, l.net_cents, l.vat_cents, l.gross_cents
             FROM jsonb_to_recordset(:lines::jsonb) AS l(line_no int, product_id uuid, sku text, name text, quantity int,
                  unit_price_cents int, vat_rate int, net_cents bigint, vat_cents bigint, gross_cents bigint)`,
          {
            replacements: {
              orderId: row.id,
              lines: JSON.stringify(
                lines.map((l, i) => ({
                  line_no: i + 1,
                  product_id: l.productId,
                  sku: l.sku,
                  name: l.name,
                  quantity: l.quantity,
                  unit_price_cents: l.unitPriceCents,
                  vat_rate: l.vatRate,
                  net_cents: l.netCents,
                  vat_cents: l.vatCents,
                  gross_cents: l.grossCents,
                })),
              ),
            },
            transaction: tx,
          },
        );
        await this.writeHistory(tx, row.id, null, 'pending_payment', actor, null);
        await recordEvent(this.sequelize, tx, {
          type: 'order.created',
          customerId,
          data: { orderId: row.id, number: row.number, customerId, status: 'pending_payment', totals },
        });
        const view: OrderView = {
          id: row.id,
          number: row.number,
          customerId,
          status: 'pending_payment',
          items: lines.map((l) => ({
            productId: l.productId,
            sku: l.sku,
            name: l.name,
            quantity: l.quantity,
            unitPriceCents: l.unitPriceCents,
            vatRate: l.vatRate,
            netCents: l.netCents,
            vatCents: l.vatCents,
            grossCents: l.grossCents,
          })),
          totals,
          currency: 'EUR',
          shippingAddress: input.shippingAddress,
          notes: input.notes ?? null,
          reservedUntil: row.reserved_until ? iso(row.reserved_until) : null,
          payments: [],
          shipments: [],
          createdAt: iso(row.created_at),
          updatedAt: iso(row.updated_at),
        };
        return { status: 201, body: view };
      },
    );
  }

  async get(id: string, actor: Actor, tx?: Transaction): Promise<OrderView> {
    const row = await this.findVisible(id, actor, tx);
    const options = { replacements: { id }, type: QueryTypes.SELECT, transaction: tx } as const;
    // Sequential: inside a transaction they share one connection.
    const items = await this.sequelize.query<ItemRow>('SELECT * FROM order_items WHERE order_id = :id ORDER BY line_no', options);
    const payments = await this.sequelize.query<PaymentRow>('SELECT * FROM payments WHERE order_id = :id ORDER BY created_at, id', options);
    const shipments = await this.sequelize.query<ShipmentRow>('SELECT * FROM shipments WHERE order_id = :id ORDER BY created_at, id', options);
    return {
      id: row.id,
      number: row.number,
      customerId: row.customer_id,
      status: row.status,
      items: items.map((i) => ({
        productId: i.product_id,
        sku: i.sku,
        name: i.name,
        quantity: i.quantity,
        unitPriceCents: i.unit_price_cents,
        vatRate: i.vat_rate,
        netCents: Number(i.net_cents),
        vatCents: Number(i.vat_cents),
        grossCents: Number(i.gross_cents),
      })),
      totals: totalsOf(row),
      currency: row.currency,
      shippingAddress: row.shipping_address,
      notes: row.notes,
      reservedUntil: row.reserved_until ? iso(row.reserved_until) : null,
      payments: payments.map(toPaymentView),
      shipments: shipments.map(toShipmentView),
      createdAt: iso(row.created_at),
      updatedAt: iso(row.updated_at),
    };
  }

  async list(query: OrderQuery, actor: Actor): Promise<Page<OrderSummary>> {
    const where: string[] = [];
    const replacements: Record<string, unknown> = { limit: query.limit + 1 };
    if (!isStaff(actor)) {
      where.push('o.customer_id = :self');
      replacements['self'] = actor.id;
    } else if (query.customerId) {
      where.push('o.customer_id = :customerId');
      replacements['customerId'] = query.customerId;
    }
    if (query.status) {
      where.push('o.status = :status');
      replacements['status'] = query.status;
    }
    if (query.createdFrom) {
      where.push('o.created_at >= :createdFrom');
      replacements['createdFrom'] = query.createdFrom;
    }
    if (query.createdTo) {
      where.push('o.created_at < :createdTo');
      replacements['createdTo'] = query.createdTo;
    }
    if (query.q) {
      where.push("o.number ILIKE :q ESCAPE '\\'");
      replacements['q'] = `%${query.q.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
    }
    const after = decodeCursor(query.cursor, 2) as [string, string] | undefined;
    if (after) {
      if (Number.isNaN(Date.parse(after[0])) || !/^[0-9a-f-]{36}$/i.test(after[1])) {
        throw new AppError('invalid-cursor', 400, 'The cursor is not valid; start again from the first page.');
      }
      where.push('(o.created_at, o.id) < (CAST(:afterAt AS timestamptz), CAST(:afterId AS uuid))');
      replacements['afterAt'] = after[0];
      replacements['afterId'] = after[1];
    }
    const rows = await this.sequelize.query<OrderRow>(
      `SELECT o.*, (SELECT count(*) FROM order_items i WHERE i.order_id = o.id) AS item_count
         FROM orders o ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
        ORDER BY o.created_at DESC, o.id DESC LIMIT :limit`,
      { replacements, type: QueryTypes.SELECT },
    );
    return toPage(rows, query.limit, toSummary, (r) => [iso(r.created_at), r.id]);
  }

  async history(id: string, actor: Actor): Promise<{ items: HistoryEntry[] }> {
    await this.findVisible(id, actor);
    const rows = await this.sequelize.query<{
      from_status: OrderStatus | null;
      to_status: OrderStatus;
      actor_id: string | null;
      actor_role: HistoryEntry['actorRole'];
      reason: string | null;
      at: Date;
    }>('SELECT * FROM order_status_history WHERE order_id = :id ORDER BY id', { replacements: { id }, type: QueryTypes.SELECT });
    return {
      items: rows.map((r) => ({ from: r.from_status, to: r.to_status, actorId: r.actor_id, actorRole: r.actor_role, reason: r.reason, at: iso(r.at) })),
    };
  }

  /** Staff's manual transitions: in_preparation, delivered, cancelled. */
  async changeStatus(id: string, to: 'in_preparation' | 'delivered' | 'cancelled', reason: string | null, actor: Actor): Promise<OrderView> {
    return this.sequelize.transaction(async (tx) => {
      const order = await this.lockVisible(tx, id, actor);
      await this.transition(tx, order, to, actor, reason);
      return this.get(id, actor, tx);
    });
  }

  /** A customer may cancel its own unpaid order; staff may cancel up to in_preparation. */
  async cancel(id: string, reason: string | null, actor: Actor): Promise<OrderView> {
    return this.sequelize.transaction(async (tx) => {
      const order = await this.lockVisible(tx, id, actor);
      if (!isStaff(actor) && order.status !== 'pending_payment') {
        if (order.status === 'cancelled') assertTransition(order.status, 'cancelled');
        throw new AppError('cancel-not-allowed', 409, `This order is ${order.status}; once paid, only staff can cancel it.`, {
          extra: { currentStatus: order.status, allowedStatuses: [] },
        });
      }
      await this.transition(tx, order, 'cancelled', actor, reason);
      return this.get(id, actor, tx);
    });
  }

  /** Records a payment made outside any provider (bank transfer, cash) and marks the order paid. */
  async recordManualPayment(orderId: string, reference: string | null, actor: Actor, idempotencyKey: string | undefined): Promise<StoredResult<PaymentView>> {
    if (!isStaff(actor)) throw new ForbiddenError('Only staff can record a manual payment.');
    return this.idempotency.run(
      { userId: actor.id, scope: 'createPayment', key: idempotencyKey, fingerprint: { orderId, provider: 'manual', reference } },
      async (tx) => {
        const order = await this.lockVisible(tx, orderId, actor);
        assertTransition(order.status, 'paid');
        const [payment] = await this.sequelize.query<PaymentRow>(
          `INSERT INTO payments (order_id, provider, status, amount_cents, reference)
           VALUES (:orderId, 'manual', 'captured', :amount, :reference) RETURNING *`,
          { replacements: { orderId, amount: order.gross_cents, reference }, type: QueryTypes.SELECT, transaction: tx },
        );
        const view = toPaymentView(payment as PaymentRow);
        await recordEvent(this.sequelize, tx, {
          type: 'payment.updated',
          customerId: order.customer_id,
          data: { paymentId: view.id, orderId, provider: 'manual', status: 'captured', amountCents: view.amountCents, failureReason: null },
        });
        await this.transition(tx, order, 'paid', actor, reference ? `manual payment ${reference}` : 'manual payment');
        return { status: 201, body: view };
      },
    );
  }

  /** Ships an order that is in preparation with a carrier and tracking code entered by staff. */
  async createManualShipment(
    orderId: string,
    input: RequestBody<'createShipment'>,
    actor: Actor,
    idempotencyKey: string | undefined,
  ): Promise<StoredResult<ShipmentView>> {
    return this.idempotency.run(
      { userId: actor.id, scope: 'createShipment', key: idempotencyKey, fingerprint: { orderId, ...input } },
      async (tx) => {
        const order = await this.lockVisible(tx, orderId, actor);
        assertTransition(order.status, 'shipped');
        const [shipment] = await this.sequelize.query<ShipmentRow>(
          `INSERT INTO shipments (order_id, carrier, carrier_name, tracking_code, tracking_url, status)
           VALUES (:orderId, 'manual', :carrierName, :trackingCode, :trackingUrl, 'in_transit') RETURNING *`,
          {
            replacements: { orderId, carrierName: input.carrierName, trackingCode: input.trackingCode, trackingUrl: input.trackingUrl ?? null },
            type: QueryTypes.SELECT,
            transaction: tx,
          },
        );
        const view = toShipmentView(shipment as ShipmentRow);
        await recordEvent(this.sequelize, tx, {
          type: 'shipment.updated',
          customerId: order.customer_id,
          data: { shipmentId: view.id, orderId, carrier: 'manual', status: 'in_transit', trackingCode: view.trackingCode },
        });
        await this.transition(tx, order, 'shipped', actor, `shipped with ${input.carrierName} ${input.trackingCode}`);
        return { status: 201, body: view };
      },
    );
  }

  /**
   * Cancels unpaid orders past their reservedUntil and releases their stock. Rows are claimed with
   * SKIP LOCKED, so several instances sweeping at once never handle the same order twice, and an
   * order being paid right now is simply skipped this round.
   */
  async expireOverdue(batchSize = 50): Promise<number> {
    let expired = 0;
    // One order per transaction: each locks its own products in id order, so the sweep can never
    // deadlock with order placement.
    while (expired < batchSize) {
      const done = await this.sequelize.transaction(async (tx) => {
        const [order] = await this.sequelize.query<OrderRow>(
          `SELECT * FROM orders WHERE status = 'pending_payment' AND reserved_until <= now()
            ORDER BY reserved_until LIMIT 1 FOR UPDATE SKIP LOCKED`,
          { type: QueryTypes.SELECT, transaction: tx },
        );
        if (!order) return false;
        await this.transition(tx, order, 'cancelled', null, 'payment-timeout');
        return true;
      });
      if (!done) break;
      expired += 1;
    }
    if (expired > 0) this.logger.info({ count: expired }, 'expired unpaid orders');
    return expired;
  }

  /** The one path for every status change: guard, stock effects, history row and event, in the caller's transaction. */
  private async transition(tx: Transaction, order: OrderRow, to: OrderStatus, actor: Actor | null, reason: string | null): Promise<void> {
    const from = order.status;
    assertTransition(from, to);
    const lines = await this.sequelize.query<{ product_id: string; quantity: number }>(
      'SELECT product_id, quantity FROM order_items WHERE order_id = :id ORDER BY product_id',
      { replacements: { id: order.id }, type: QueryTypes.SELECT, transaction: tx },
    );
    const stockLines = lines.map((l) => ({ productId: l.product_id, quantity: l.quantity }));
    if (to === 'cancelled' && HOLDS_RESERVATION.has(from)) await this.inventory.release(tx, stockLines);
    if (to === 'shipped') await this.inventory.commitSale(tx, order.id, stockLines, actor);
    if (to === 'cancelled' && from !== 'pending_payment') {
      // The manual provider's refund is bookkeeping; provider refunds come with the payments integration.
      const refunded = await this.sequelize.query<PaymentRow>(
        `UPDATE payments SET status = 'refunded', updated_at = clock_timestamp()
          WHERE order_id = :id AND status = 'captured' AND provider = 'manual' RETURNING *`,
        { replacements: { id: order.id }, type: QueryTypes.SELECT, transaction: tx },
      );
      for (const p of refunded) {
        await recordEvent(this.sequelize, tx, {
          type: 'payment.updated',
          customerId: order.customer_id,
          data: { paymentId: p.id, orderId: order.id, provider: p.provider, status: 'refunded', amountCents: Number(p.amount_cents), failureReason: null },
        });
      }
    }
    if (to === 'delivered') {
      await this.sequelize.query(
        "UPDATE shipments SET status = 'delivered', updated_at = clock_timestamp() WHERE order_id = :id AND status = 'in_transit'",
        { replacements: { id: order.id }, transaction: tx },
      );
    }
    await this.sequelize.query(
      `UPDATE orders SET status = :to, updated_at = clock_timestamp(),
              reserved_until = CASE WHEN :to = 'pending_payment' THEN reserved_until ELSE NULL END
        WHERE id = :id`,
      { replacements: { to, id: order.id }, transaction: tx },
    );
    await this.writeHistory(tx, order.id, from, to, actor, reason);
    await recordEvent(this.sequelize, tx, {
      type: 'order.status_changed',
      customerId: order.customer_id,
      data: {
        orderId: order.id,
        number: order.number,
        customerId: order.customer_id,
        from,
        to,
        actorId: actor?.id ?? null,
        actor: actor?.role ?? 'system',
        reason,
      },
    });
    order.status = to;
  }

  private async writeHistory(tx: Transaction, orderId: string, from: OrderStatus | null, to: OrderStatus, actor: Actor | null, reason: string | null): Promise<void> {
    await this.sequelize.query(
      `INSERT INTO order_status_history (order_id, from_status, to_status, actor_id, actor_role, reason)
       VALUES (:orderId, :from, :to, :actorId, :actorRole, :reason)`,
      { replacements: { orderId, from, to, actorId: actor?.id ?? null, actorRole: actor?.role ?? 'system', reason }, transaction: tx },
    );
  }

  /** Another customer's order is reported as missing: its existence is not revealed. */
  private async findVisible(id: string, actor: Actor, tx?: Transaction): Promise<OrderRow> {
    const [row] = await this.sequelize.query<OrderRow>('SELECT * FROM orders WHERE id = :id', {
      replacements: { id },
      type: QueryTypes.SELECT,
      transaction: tx,
    });
    if (!row || (!isStaff(actor) && row.customer_id !== actor.id)) throw new NotFoundError('The order');
    return row;
  }

  private async lockVisible(tx: Transaction, id: string, actor: Actor): Promise<OrderRow> {
    const [row] = await this.sequelize.query<OrderRow>('SELECT * FROM orders WHERE id = :id FOR UPDATE', {
      replacements: { id },
      type: QueryTypes.SELECT,
      transaction: tx,
    });
    if (!row || (!isStaff(actor) && row.customer_id !== actor.id)) throw new NotFoundError('The order');
    return row;
  }

  private async resolveCustomer(requested: string | undefined, actor: Actor): Promise<string> {
    if (!isStaff(actor)) {
      if (requested !== undefined && requested !== actor.id) {
        throw new ValidationError('A customer orders for itself only.', [{ path: 'body.customerId', message: 'may not name another customer' }]);
      }
      return actor.id;
    }
    if (requested === undefined) {
      throw new ValidationError('Staff must name the customer the order is for.', [{ path: 'body.customerId', message: 'is required for staff' }]);
    }
    const [customer] = await this.sequelize.query<{ role: string; disabled: boolean }>('SELECT role, disabled FROM users WHERE id = :id', {
      replacements: { id: requested },
      type: QueryTypes.SELECT,
    });
    if (!customer || customer.role !== 'customer') {
      throw new AppError('customer-not-found', 404, 'No customer has this id.');
    }
    if (customer.disabled) throw new AppError('customer-disabled', 409, 'This customer account is disabled.');
    return requested;
  }
}
