/**
 * What `make bench-scale` measures: each request, and the SQL whose plan it prints beside it.
 *
 * The plan column EXPLAINs the statement the service runs for the request. Until the repositories
 * export their SQL builders, `plan` below restates the repository's statement (products:
 * `productRepository.list`, orders: `orderRepository.list`, movements: `stockRepository`); this is
 * the one place to switch to the builders.
 */
import { customerId, orderId, productId } from './load';

export type ScenarioKind = 'list' | 'read' | 'write';

export interface ScenarioContext {
  staffToken: string;
  customerToken: string;
  /** Number of orders and products loaded, to name rows by ordinal. */
  orders: number;
  products: number;
  /** The cursor of page 21 of the products newest first (found before measuring). */
  page21Cursor?: string;
  /** Product ordinals with plenty of stock, for the orders this run places. */
  stockedProducts: number[];
}

export interface Request {
  method: 'GET' | 'POST';
  path: string;
  token: string;
  body?: unknown;
}

export interface Scenario {
  label: string;
  kind: ScenarioKind;
  request(ctx: ScenarioContext, n: number): Request;
  /** The statement behind the request, for EXPLAIN (none for writes). */
  plan?(ctx: ScenarioContext): { text: string; values: unknown[] };
}

const PRODUCT_COLUMNS = 'SELECT * FROM products';
const ORDER_COLUMNS = 'SELECT o.*, (SELECT count(*) FROM order_items i WHERE i.order_id = o.id) AS item_count FROM orders o';
const ADDRESS = { name: 'Ufficio Bench Srl', line1: 'Via Roma 1', city: 'Milano', postalCode: '20121', province: 'MI', country: 'IT' };

/** The repository's ILIKE search (`productRepository.list` with `q`), staff view, by name. */
function productSearch(term: string) {
  return {
    text: `${PRODUCT_COLUMNS} WHERE (sku ILIKE $1 ESCAPE '\\' OR name ILIKE $1 ESCAPE '\\') ORDER BY lower(name) ASC, id ASC LIMIT 21`,
    values: [`%${term}%`],
  };
}

const search = (label: string, term: string): Scenario => ({
  label,
  kind: 'list',
  request: (ctx) => ({ method: 'GET', path: `/api/v1/products?q=${encodeURIComponent(term)}`, token: ctx.staffToken }),
  plan: () => productSearch(term),
});

export const SCENARIOS: Scenario[] = [
  {
    label: 'GET /products?limit=20 (by name)',
    kind: 'list',
    request: (ctx) => ({ method: 'GET', path: '/api/v1/products?limit=20', token: ctx.staffToken }),
    plan: () => ({ text: `${PRODUCT_COLUMNS} ORDER BY lower(name) ASC, id ASC LIMIT 21`, values: [] }),
  },
  search('GET /products?q=modello 999 (rare)', 'modello 999'),
  search('GET /products?q=toner (common)', 'toner'),
  search('GET /products?q=penne (Italian plural)', 'penne'),
  search('GET /products?q=caffe (no accent)', 'caffe'),
  search('GET /products?q=SKU-00000500', 'SKU-00000500'),
  {
    label: 'GET /products?lowStock=true',
    kind: 'list',
    request: (ctx) => ({ method: 'GET', path: '/api/v1/products?lowStock=true', token: ctx.staffToken }),
    plan: () => ({ text: `${PRODUCT_COLUMNS} WHERE on_hand - reserved <= reorder_level ORDER BY lower(name) ASC, id ASC LIMIT 21`, values: [] }),
  },
  {
    label: 'GET /products?category=cat-7',
    kind: 'list',
    request: (ctx) => ({ method: 'GET', path: '/api/v1/products?category=cat-7', token: ctx.staffToken }),
    plan: () => ({ text: `${PRODUCT_COLUMNS} WHERE lower(category) = lower($1) ORDER BY lower(name) ASC, id ASC LIMIT 21`, values: ['cat-7'] }),
  },
  {
    label: 'GET /products?sort=-createdAt, page 21',
    kind: 'list',
    request: (ctx) => ({ method: 'GET', path: `/api/v1/products?sort=-createdAt&limit=20&cursor=${encodeURIComponent(ctx.page21Cursor ?? '')}`, token: ctx.staffToken }),
    plan: () => ({
      text: `${PRODUCT_COLUMNS} WHERE (created_at, id) < (now() - interval '10 days', 'ffffffff-ffff-ffff-ffff-ffffffffffff'::uuid) ORDER BY created_at DESC, id DESC LIMIT 21`,
      values: [],
    }),
  },
  {
    label: 'GET /products/{id}/stock-movements',
    kind: 'list',
    request: (ctx) => ({ method: 'GET', path: `/api/v1/products/${productId(Math.min(500, ctx.products))}/stock-movements`, token: ctx.staffToken }),
    plan: (ctx) => ({ text: 'SELECT * FROM stock_movements WHERE product_id = $1 ORDER BY seq DESC LIMIT 21', values: [productId(Math.min(500, ctx.products))] }),
  },
  {
    label: 'GET /orders?q=QS-2025-0000999 (staff)',
    kind: 'list',
    request: (ctx) => ({ method: 'GET', path: '/api/v1/orders?q=QS-2025-0000999', token: ctx.staffToken }),
    plan: () => ({ text: `${ORDER_COLUMNS} WHERE o.number ILIKE $1 ESCAPE '\\' ORDER BY o.created_at DESC, o.id DESC LIMIT 21`, values: ['%QS-2025-0000999%'] }),
  },
  {
    label: 'GET /orders (staff)',
    kind: 'list',
    request: (ctx) => ({ method: 'GET', path: '/api/v1/orders', token: ctx.staffToken }),
    plan: () => ({ text: `${ORDER_COLUMNS} ORDER BY o.created_at DESC, o.id DESC LIMIT 21`, values: [] }),
  },
  {
    label: 'GET /orders?status=paid (staff)',
    kind: 'list',
    request: (ctx) => ({ method: 'GET', path: '/api/v1/orders?status=paid', token: ctx.staffToken }),
    plan: () => ({ text: `${ORDER_COLUMNS} WHERE o.status = ANY($1) ORDER BY o.created_at DESC, o.id DESC LIMIT 21`, values: [['paid']] }),
  },
  {
    label: 'GET /orders?customerId= (staff)',
    kind: 'list',
    request: (ctx) => ({ method: 'GET', path: `/api/v1/orders?customerId=${customerId(7)}`, token: ctx.staffToken }),
    plan: () => ({ text: `${ORDER_COLUMNS} WHERE o.customer_id = $1 ORDER BY o.created_at DESC, o.id DESC LIMIT 21`, values: [customerId(7)] }),
  },
  {
    label: 'GET /orders (customer, own)',
    kind: 'list',
    request: (ctx) => ({ method: 'GET', path: '/api/v1/orders', token: ctx.customerToken }),
    plan: () => ({ text: `${ORDER_COLUMNS} WHERE o.customer_id = $1 ORDER BY o.created_at DESC, o.id DESC LIMIT 21`, values: [customerId(7)] }),
  },
  {
    label: 'GET /orders/{id}',
    kind: 'read',
    request: (ctx) => ({ method: 'GET', path: `/api/v1/orders/${orderId(Math.ceil(ctx.orders / 2))}`, token: ctx.staffToken }),
    plan: (ctx) => ({ text: 'SELECT * FROM orders WHERE id = $1', values: [orderId(Math.ceil(ctx.orders / 2))] }),
  },
  {
    label: 'POST /orders (customer, 2 lines)',
    kind: 'write',
    request: (ctx, n) => {
      const list = ctx.stockedProducts;
      const a = list[(n * 2) % list.length] as number;
      const b = list[(n * 2 + 1) % list.length] as number;
      return {
        method: 'POST',
        path: '/api/v1/orders',
        token: ctx.customerToken,
        body: { shippingAddress: ADDRESS, items: [{ productId: productId(a), quantity: 1 }, { productId: productId(b), quantity: 2 }] },
      };
    },
  },
  {
    label: 'POST /products/{id}/stock-movements',
    kind: 'write',
    request: (ctx, n) => ({
      method: 'POST',
      path: `/api/v1/products/${productId(ctx.stockedProducts[n % ctx.stockedProducts.length] as number)}/stock-movements`,
      token: ctx.staffToken,
      body: { type: 'receipt', delta: 5, reason: 'bench-scale' },
    }),
  },
];

/** The write path alone (BENCH_SCALE_MODE=write): what grows with orders and the ledger. */
export const WRITE_SCENARIOS = SCENARIOS.filter((s) => s.kind === 'write' || s.label.startsWith('GET /orders/{id}'));
