import { expect } from 'chai';
import { asAdmin, createProduct, customer, ok, placedOrder, type Order, type Product, type Schemas, type TestUser } from '../../support/api';
import { client } from '../../support/client';
import { query } from '../../support/database';
import { assertMatchesAsyncApi } from '../../support/realtime';

export interface LineSpec {
  quantity: number;
  initialStock?: number;
  unitPriceCents?: number;
  vatRate?: Schemas['VatRate'];
}

export interface PreparedOrder {
  buyer: TestUser;
  order: Order;
  products: Product[];
}

/** An order of one product per line, paid manually (captured) and in preparation, ready to ship. */
export async function preparedOrder(lines: LineSpec[], options: { pay?: 'manual' | 'none' } = {}): Promise<PreparedOrder> {
  const admin = await asAdmin();
  const buyer = await customer();
  const products: Product[] = [];
  for (const l of lines) {
    products.push(await createProduct({ initialStock: l.initialStock ?? 50, unitPriceCents: l.unitPriceCents ?? 1000, vatRate: l.vatRate ?? 22 }));
  }
  const order = await placedOrder(
    buyer.token,
    lines.map((l, i) => ({ productId: products[i]!.id, quantity: l.quantity })),
  );
  if (options.pay !== 'none') {
    ok(await client(admin).POST('/api/v1/orders/{id}/payments', { params: { path: { id: order.id } }, body: { provider: 'manual', reference: 'bonifico' } }));
    ok(await client(admin).POST('/api/v1/orders/{id}/status', { params: { path: { id: order.id } }, body: { status: 'in_preparation' } }));
  }
  return { buyer, order, products };
}

let trackingCounter = 0;

/** Ships some lines (or, without them, everything still to ship) with the manual carrier. */
export async function shipManually(
  orderId: string,
  lines?: Schemas['ShipmentLineRequest'][],
  options: { token?: string; key?: string; trackingCode?: string } = {},
) {
  trackingCounter += 1;
  return client(options.token ?? (await asAdmin())).POST('/api/v1/orders/{id}/shipments', {
    params: { path: { id: orderId } },
    body: {
      carrier: 'manual',
      carrierName: 'BRT',
      trackingCode: options.trackingCode ?? `BRT-${Date.now().toString(36)}-${trackingCounter}`,
      ...(lines ? { lines } : {}),
    },
    headers: options.key ? { 'idempotency-key': options.key } : {},
  });
}

export async function getOrder(orderId: string): Promise<Order> {
  return ok(await client(await asAdmin()).GET('/api/v1/orders/{id}', { params: { path: { id: orderId } } }));
}

/** The product row's stock figures as stored. */
export async function stockOf(productId: string): Promise<{ on_hand: number; reserved: number }> {
  const [row] = await query<{ on_hand: number; reserved: number }>('SELECT on_hand, reserved FROM products WHERE id = $1', [productId]);
  return row!;
}

/** The product's ledger, oldest first. */
export async function movementsOf(productId: string): Promise<{ type: string; delta: number; on_hand_after: number; order_id: string | null }[]> {
  return query('SELECT type, delta, on_hand_after, order_id FROM stock_movements WHERE product_id = $1 ORDER BY seq', [productId]);
}

/** Each line's counts as stored, in line order. */
export async function countsOf(orderId: string): Promise<{ product_id: string; quantity: number; shipped_quantity: number; cancelled_quantity: number }[]> {
  return query('SELECT product_id, quantity, shipped_quantity, cancelled_quantity FROM order_items WHERE order_id = $1 ORDER BY line_no', [orderId]);
}

export async function historyOf(orderId: string): Promise<[string | null, string][]> {
  const rows = await query<{ from_status: string | null; to_status: string }>(
    'SELECT from_status, to_status FROM order_status_history WHERE order_id = $1 ORDER BY id',
    [orderId],
  );
  return rows.map((r) => [r.from_status, r.to_status]);
}

export async function eventsOf(orderId: string, type: string): Promise<Record<string, any>[]> {
  const rows = await query<{ data: Record<string, any> }>("SELECT data FROM events WHERE type = $1 AND data->>'orderId' = $2 ORDER BY id", [type, orderId]);
  return rows.map((r) => r.data);
}

/** Every product's stock invariant: on hand is the sum of its ledger; reserved is what open lines still hold. */
export async function assertStockInvariant(productIds: string[]): Promise<void> {
  const rows = await query<{ id: string; on_hand: number; ledger: number; reserved: number; held: number }>(
    `SELECT p.id, p.on_hand, p.reserved,
            (SELECT coalesce(sum(delta), 0)::int FROM stock_movements m WHERE m.product_id = p.id) AS ledger,
            (SELECT coalesce(sum(i.quantity - i.shipped_quantity - i.cancelled_quantity), 0)::int FROM order_items i WHERE i.product_id = p.id) AS held
       FROM products p WHERE p.id = ANY($1::uuid[])`,
    [productIds],
  );
  expect(rows).to.have.length(productIds.length);
  for (const r of rows) {
    expect(r.on_hand, `on hand of ${r.id} is its ledger`).to.equal(r.ledger);
    expect(r.reserved, `reserved of ${r.id} is what open lines hold`).to.equal(r.held);
  }
}

/** Every event the outbox holds about the order, each checked against its AsyncAPI message as a client would receive it. */
export async function assertEventsMatchAsyncApi(orderId: string): Promise<number> {
  const rows = await query<{ id: string; type: string; occurred_at: Date; data: unknown }>(
    "SELECT id, type, occurred_at, data FROM events WHERE data->>'orderId' = $1 ORDER BY id",
    [orderId],
  );
  for (const r of rows)
    assertMatchesAsyncApi({ name: r.type, payload: { id: Number(r.id), type: r.type, occurredAt: new Date(r.occurred_at).toISOString(), data: r.data } });
  return rows.length;
}
