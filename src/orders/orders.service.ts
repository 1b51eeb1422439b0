import type { Sequelize } from 'sequelize-typescript';
import { QueryTypes, type Transaction } from 'sequelize';
import type { Logger } from 'pino';
import { AppError, ForbiddenError, NotFoundError, ValidationError } from '../platform/errors';
import { recordEvent } from '../platform/events';
import { txQuery } from '../platform/db/database';
import { decodeCursor, toPage, type Page } from '../platform/http/pagination';
import { isStaff, type Actor, type RequestBody, type Schemas } from '../platform/http/contract';
import type { IdempotencyStore, StoredResult } from '../platform/idempotency';
import type { InventoryService } from '../inventory';
import type { PaymentEvent, PaymentProvider } from '../payments';
import type { Carrier, TrackingEvent } from '../shipping';
import type { ProviderRegistry } from '../platform/upstream';
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
  provider_payment_id: string | null;
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
  service: string | null;
  rate_cents: string | null;
  rate_currency: string | null;
  tracking_status: string | null;
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
    service: s.service,
    rateCents: s.rate_cents === null ? null : Number(s.rate_cents),
    rateCurrency: s.rate_currency,
    trackingStatus: s.tracking_status,
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
    private readonly payments: ProviderRegistry<PaymentProvider>,
    private readonly carriers: ProviderRegistry<Carrier>,
  ) {}

  async place(input: RequestBody<'createOrder'>, actor: Actor, idempotencyKey: string | undefined): Promise<StoredResult<OrderView>> {
    const customerId = await this.resolveCustomer(input.customerId, actor);
    // UUIDs are case-insensitive; the rows come back lower-case.
    const items = input.items.map((line) => ({ ...line, productId: line.productId.toLowerCase() }));
    const seen = new Map<string, number>();
    const errors: { path: string; message: string }[] = [];
    items.forEach((line, i) => {
      const first = seen.get(line.productId);
      if (first !== undefined) errors.push({ path: `body.items[${i}].productId`, message: `repeats the product of items[${first}]` });
      else seen.set(line.productId, i);
    });
    if (errors.length > 0) throw new ValidationError('The same product may appear only once per order.', errors);

    return this.idempotency.run(
      { userId: actor.id, scope: 'createOrder', key: idempotencyKey, fingerprint: input },
      async (tx) => {
        const reserved = await this.inventory.reserve(tx, items);
        const lines = reserved.map((l) => ({ ...l, ...lineAmounts(l) }));
        const totals = sumTotals(lines);
        // The order, its lines and its first history row in one statement: one round trip, not three.
        const [order] = await txQuery<OrderRow>(
          tx,
          `WITH o AS (
             INSERT INTO orders (number, customer_id, status, net_cents, vat_cents, gross_cents, shipping_address, notes, reserved_until, created_by)
             VALUES ('QS-' || to_char(now(), 'YYYY') || '-' || lpad(nextval('order_number_seq')::text, 6, '0'),
                     $1, 'pending_payment', $2, $3, $4, $5::jsonb, $6, now() + make_interval(mins => $7), $8)
             RETURNING *
           ), lines AS (
             INSERT INTO order_items (order_id, line_no, product_id, sku, name, quantity, unit_price_cents, vat_rate, net_cents, vat_cents, gross_cents)
             SELECT o.id, l.line_no, l.product_id, l.sku, l.name, l.quantity, l.unit_price_cents, l.vat_rate, l.net_cents, l.vat_cents, l.gross_cents
               FROM o, jsonb_to_recordset($10::jsonb) AS l(line_no int, product_id uuid, sku text, name text, quantity int,
                    unit_price_cents int, vat_rate int, net_cents bigint, vat_cents bigint, gross_cents bigint)
           ), history AS (
             INSERT INTO order_status_history (order_id, from_status, to_status, actor_id, actor_role, reason)
             SELECT o.id, NULL, 'pending_payment', $8, $9, NULL FROM o
           )
           SELECT * FROM o`,
          [
            customerId,
            totals.netCents,
            totals.vatCents,
            totals.grossCents,
            JSON.stringify(input.shippingAddress),
            input.notes ?? null,
            this.reservationTtlMinutes,
            actor.id,
            actor.role,
            JSON.stringify(
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
          ],
        );
        const row = order as OrderRow;
        await recordEvent(tx, {
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

  /**
   * Pays an unpaid order through a provider. `manual` (staff) is captured at once and the order is
   * paid; `stripe` creates a PaymentIntent and stays `pending` until its webhook. The order row is
   * locked across the provider call, so a concurrent cancel or payment waits instead of racing; a
   * provider failure rolls everything back and releases the Idempotency-Key for a retry.
   */
  async createPayment(
    orderId: string,
    input: RequestBody<'createPayment'>,
    actor: Actor,
    idempotencyKey: string | undefined,
  ): Promise<StoredResult<PaymentView>> {
    const provider = this.payments.get(input.provider);
    if (input.provider === 'manual' && !isStaff(actor)) throw new ForbiddenError('Only staff can record a manual payment.');
    const reference = input.reference ?? null;
    return this.idempotency.run(
      { userId: actor.id, scope: 'createPayment', key: idempotencyKey, fingerprint: { orderId, provider: input.provider, reference } },
      async (tx) => {
        const order = await this.lockVisible(tx, orderId, actor);
        assertTransition(order.status, 'paid');
        const [attempts] = await this.sequelize.query<{ n: string }>('SELECT count(*) AS n FROM payments WHERE order_id = :orderId AND provider = :provider', {
          replacements: { orderId, provider: provider.name },
          type: QueryTypes.SELECT,
          transaction: tx,
        });
        const attempt = Number(attempts?.n ?? 0) + 1;
        const created = await provider.createPayment({
          orderId,
          orderNumber: order.number,
          customerId: order.customer_id,
          amountCents: Number(order.gross_cents),
          currency: 'EUR',
          idempotencyKey: `quickstock-order-${orderId}-payment-${attempt}`,
          reference,
        });
        const [payment] = await this.sequelize.query<PaymentRow>(
          `INSERT INTO payments (order_id, provider, status, amount_cents, reference, provider_payment_id)
           VALUES (:orderId, :provider, :status, :amount, :reference, :providerPaymentId) RETURNING *`,
          {
            replacements: {
              orderId,
              provider: provider.name,
              status: created.status,
              amount: order.gross_cents,
              reference: created.reference,
              providerPaymentId: created.providerPaymentId,
            },
            type: QueryTypes.SELECT,
            transaction: tx,
          },
        );
        const view = toPaymentView(payment as PaymentRow);
        await this.recordPaymentEvent(tx, order, payment as PaymentRow);
        if (created.status === 'captured') {
          await this.transition(tx, order, 'paid', actor, reference ? `${provider.name} payment ${reference}` : `${provider.name} payment`);
        }
        return { status: 201, body: created.clientSecret ? { ...view, clientSecret: created.clientSecret } : view };
      },
    );
  }

  /**
   * Ships an order in preparation with a carrier: `manual` (carrier and tracking code typed by staff)
   * or `easypost` (shipment created and label bought). Locked like createPayment.
   */
  async createShipment(orderId: string, input: RequestBody<'createShipment'>, actor: Actor, idempotencyKey: string | undefined): Promise<StoredResult<ShipmentView>> {
    const carrier = this.carriers.get(input.carrier);
    return this.idempotency.run(
      { userId: actor.id, scope: 'createShipment', key: idempotencyKey, fingerprint: { orderId, ...input } },
      async (tx) => {
        const order = await this.lockVisible(tx, orderId, actor);
        assertTransition(order.status, 'shipped');
        const created = await carrier.createShipment({ orderId, orderNumber: order.number, to: order.shipping_address, request: input });
        const [shipment] = await this.sequelize.query<ShipmentRow>(
          `INSERT INTO shipments (order_id, carrier, carrier_name, tracking_code, tracking_url, label_url, status, provider_shipment_id,
                                  service, rate_cents, rate_currency)
           VALUES (:orderId, :carrier, :carrierName, :trackingCode, :trackingUrl, :labelUrl, 'in_transit', :providerShipmentId,
                   :service, :rateCents, :rateCurrency) RETURNING *`,
          { replacements: { orderId, carrier: carrier.name, ...created }, type: QueryTypes.SELECT, transaction: tx },
        );
        const view = toShipmentView(shipment as ShipmentRow);
        await this.recordShipmentEvent(tx, shipment as ShipmentRow, order.customer_id);
        await this.transition(tx, order, 'shipped', actor, `shipped with ${created.carrierName} ${created.trackingCode}`);
        return { status: 201, body: view };
      },
    );
  }

  /**
   * Applies a verified payment-provider event in the caller's transaction (where its id was just
   * stored) and answers what it did. The order is locked before the payment, as on every other
   * path, so a webhook and a cancel never deadlock.
   */
  async applyPaymentEvent(tx: Transaction, event: PaymentEvent): Promise<string> {
    if (event.kind === 'other') return 'ignored-type';
    const [found] = await this.sequelize.query<{ id: string; order_id: string }>(
      'SELECT id, order_id FROM payments WHERE provider = :provider AND provider_payment_id = :pid',
      { replacements: { provider: event.provider, pid: event.providerPaymentId }, type: QueryTypes.SELECT, transaction: tx },
    );
    if (!found) return 'unknown-payment';
    const order = await this.lockOrder(tx, found.order_id);
    const [payment] = await this.sequelize.query<PaymentRow>('SELECT * FROM payments WHERE id = :id FOR UPDATE', {
      replacements: { id: found.id },
      type: QueryTypes.SELECT,
      transaction: tx,
    });
    if (!order || !payment) return 'unknown-payment';
    switch (event.kind) {
      case 'succeeded': {
        // A PaymentIntent may fail with one card and then succeed with another.
        if (payment.status !== 'pending' && payment.status !== 'failed') return `already-${payment.status}`;
        await this.setPaymentStatus(tx, order, payment, 'captured', null);
        if (order.status !== 'pending_payment') {
          this.logger.warn({ orderId: order.id, paymentId: payment.id, orderStatus: order.status }, 'payment captured for an order that is no longer payable');
          return 'captured-needs-refund';
        }
        await this.transition(tx, order, 'paid', null, `${event.provider} payment ${event.providerPaymentId}`);
        return 'order-paid';
      }
      case 'failed':
        if (payment.status !== 'pending') return `already-${payment.status}`;
        await this.setPaymentStatus(tx, order, payment, 'failed', event.reason);
        return 'payment-failed';
      case 'refunded':
        if (payment.status === 'refunded') return 'already-refunded';
        if (payment.status !== 'captured') return `ignored-${payment.status}`;
        // Refunded from the provider's dashboard: the money is back; what happens to the order is for staff.
        await this.setPaymentStatus(tx, order, payment, 'refunded', null);
        return 'payment-refunded';
    }
  }

  /**
   * Gives back a payment captured after its order stopped being payable (cancelled meanwhile, or paid
   * by another attempt). Called after the webhook committed; a provider failure leaves it captured.
   */
  async refundOrphanPayment(providerName: PaymentProvider['name'], providerPaymentId: string): Promise<void> {
    await this.sequelize.transaction(async (tx) => {
      const [found] = await this.sequelize.query<{ order_id: string }>(
        'SELECT order_id FROM payments WHERE provider = :providerName AND provider_payment_id = :providerPaymentId',
        { replacements: { providerName, providerPaymentId }, type: QueryTypes.SELECT, transaction: tx },
      );
      if (!found) return;
      const order = await this.lockOrder(tx, found.order_id);
      const [payment] = await this.sequelize.query<PaymentRow>(
        `SELECT * FROM payments WHERE provider = :providerName AND provider_payment_id = :providerPaymentId AND status = 'captured' FOR UPDATE`,
        { replacements: { providerName, providerPaymentId }, type: QueryTypes.SELECT, transaction: tx },
      );
      if (!order || !payment || order.status === 'pending_payment') return;
      const others = await this.sequelize.query("SELECT 1 FROM payments WHERE order_id = :orderId AND id <> :id AND status = 'captured'", {
        replacements: { orderId: order.id, id: payment.id },
        type: QueryTypes.SELECT,
        transaction: tx,
      });
      if (order.status !== 'cancelled' && others.length === 0) return; // it is the order's one payment
      await this.refund(tx, order, payment);
    });
  }

  /** Applies a verified carrier tracking event in the caller's transaction; answers what it did. */
  async applyTrackingEvent(tx: Transaction, event: TrackingEvent): Promise<string> {
    if (event.kind === 'other') return 'ignored-type';
    const [found] = await this.sequelize.query<{ id: string; order_id: string }>(
      `SELECT id, order_id FROM shipments
        WHERE carrier = :carrier AND (provider_shipment_id = :sid OR tracking_code = :code)
        ORDER BY created_at DESC LIMIT 1`,
      { replacements: { carrier: event.carrier, sid: event.providerShipmentId, code: event.trackingCode }, type: QueryTypes.SELECT, transaction: tx },
    );
    if (!found) return 'unknown-shipment';
    const order = await this.lockOrder(tx, found.order_id);
    const [shipment] = await this.sequelize.query<ShipmentRow>(
      'UPDATE shipments SET tracking_status = :carrierStatus, updated_at = clock_timestamp() WHERE id = :id RETURNING *',
      { replacements: { id: found.id, carrierStatus: event.carrierStatus }, type: QueryTypes.SELECT, transaction: tx },
    );
    if (!order || !shipment) return 'unknown-shipment';
    if (event.status === 'delivered') {
      if (order.status !== 'shipped') return 'tracking-recorded';
      await this.transition(tx, order, 'delivered', null, `${event.carrier} tracker: delivered`);
      await this.recordShipmentEvent(tx, { ...shipment, status: 'delivered' }, order.customer_id);
      return 'order-delivered';
    }
    if ((event.status === 'return_to_sender' || event.status === 'failure') && shipment.status !== event.status) {
      const [changed] = await this.sequelize.query<ShipmentRow>('UPDATE shipments SET status = :status, updated_at = clock_timestamp() WHERE id = :id RETURNING *', {
        replacements: { id: shipment.id, status: event.status },
        type: QueryTypes.SELECT,
        transaction: tx,
      });
      // For staff only: someone has to call the carrier or the customer.
      await this.recordShipmentEvent(tx, changed as ShipmentRow, null);
      return `shipment-${event.status}`;
    }
    return 'tracking-recorded';
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
      // Refund first, inside the order's lock: if the provider fails, the whole cancel rolls back and
      // the order stays paid; a retry reuses the refund's idempotency key, so it never pays back twice.
      const captured = await this.sequelize.query<PaymentRow>(
        "SELECT * FROM payments WHERE order_id = :id AND status = 'captured' ORDER BY created_at, id FOR UPDATE",
        { replacements: { id: order.id }, type: QueryTypes.SELECT, transaction: tx },
      );
      for (const payment of captured) await this.refund(tx, order, payment);
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
    await recordEvent(tx, {
      type: 'order.status_changed',
      customerId: order.customer_id,
      data: {
        orderId: order.id,
        number: order.number,
        customerId: order.customer_id,
        from,
        to,
        actorId: actor?.id ?? null,
        actorRole: actor?.role ?? 'system',
        reason,
      },
    });
    order.status = to;
  }

  /** Refunds one captured payment through its provider, then records it. */
  private async refund(tx: Transaction, order: OrderRow, payment: PaymentRow): Promise<void> {
    await this.payments.get(payment.provider).refund({
      paymentId: payment.id,
      providerPaymentId: payment.provider_payment_id,
      amountCents: Number(payment.amount_cents),
      idempotencyKey: `quickstock-refund-${payment.id}`,
    });
    await this.setPaymentStatus(tx, order, payment, 'refunded', null);
  }

  private async setPaymentStatus(tx: Transaction, order: OrderRow, payment: PaymentRow, status: PaymentRow['status'], failureReason: string | null): Promise<PaymentRow> {
    const [updated] = await this.sequelize.query<PaymentRow>(
      'UPDATE payments SET status = :status, failure_reason = :failureReason, updated_at = clock_timestamp() WHERE id = :id RETURNING *',
      { replacements: { id: payment.id, status, failureReason }, type: QueryTypes.SELECT, transaction: tx },
    );
    const row = updated as PaymentRow;
    await this.recordPaymentEvent(tx, order, row);
    return row;
  }

  private async recordPaymentEvent(tx: Transaction, order: OrderRow, p: PaymentRow): Promise<void> {
    await recordEvent(tx, {
      type: 'payment.updated',
      customerId: order.customer_id,
      data: { paymentId: p.id, orderId: order.id, provider: p.provider, status: p.status, amountCents: Number(p.amount_cents), failureReason: p.failure_reason },
    });
  }

  /** customerId null: for staff only. */
  private async recordShipmentEvent(tx: Transaction, s: ShipmentRow, customerId: string | null): Promise<void> {
    await recordEvent(tx, {
      type: 'shipment.updated',
      customerId,
      data: { shipmentId: s.id, orderId: s.order_id, carrier: s.carrier, status: s.status, trackingCode: s.tracking_code },
    });
  }

  /** For the service itself (webhooks): no visibility check. */
  private async lockOrder(tx: Transaction, id: string): Promise<OrderRow | undefined> {
    const [row] = await this.sequelize.query<OrderRow>('SELECT * FROM orders WHERE id = :id FOR UPDATE', {
      replacements: { id },
      type: QueryTypes.SELECT,
      transaction: tx,
    });
    return row;
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
