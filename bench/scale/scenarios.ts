/**
 * What `make bench-scale` measures: each request, and the SQL whose plan it prints beside it.
 *
 * The plan column EXPLAINs the statements the service runs for the request: the lists come from
 * the repositories' own builders (`productListSql`, run group by group as `runProductList` runs
 * them; `orderListSql`), with the parameters the service derives from the request (staff view,
 * limit 20). The two single-statement reads restate their repository's statement.
 */
import { productListSql, type ListStatement, type ProductListParams } from '../../src/products/product-list.sql';
import { orderListSql, type OrderListParams } from '../../src/orders/order-list.sql';
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
  /** E.g. an `Idempotency-Key`, as the console sends it. */
  headers?: Record<string, string>;
}

/** An untimed call to the service under test that must succeed (it throws otherwise): its body. */
export type Api = (method: 'GET' | 'POST', path: string, token: string, body?: unknown) => Promise<any>;

/** What one timed request acts on, made before it (an order placed and paid through the API, …). */
export interface Target {
  orderId: string;
  /** The order's products, line by line. */
  productIds: string[];
  grossCents: number;
}

export interface Scenario {
  label: string;
  kind: ScenarioKind;
  /** The p50 ratio large/small this request must keep (default: the bench's 2×). */
  maxRatio?: number;
  /**
   * Untimed, before the scenario's requests on a side: what requests `n`..`n + count − 1` act on,
   * one each (none: the request needs nothing made first).
   */
  prepare?(api: Api, ctx: ScenarioContext, n: number, count: number): Promise<Target[]>;
  request(ctx: ScenarioContext, n: number, target?: Target): Request;
  /** What a 2xx answer must also say (e.g. the refund `succeeded`): a failure's description, or undefined. */
  check?(body: any): string | undefined;
  /**
   * The statements behind the request, for EXPLAIN (none for writes), in the groups of
   * `runProductList`: the bench runs them the way the repository does and explains those that ran.
   */
  plan?(ctx: ScenarioContext): ListStatement[][];
}

const LIMIT = 20;
export const ADDRESS = { name: 'Ufficio Bench Srl', line1: 'Via Roma 1', city: 'Milano', postalCode: '20121', province: 'MI', country: 'IT' };
const byName = { by: 'sort', key: 'name', descending: false } as const;

/** `GET /products` as the staff sees it (no `active` filter), limit 20. */
const products = (p: Omit<ProductListParams, 'limit'>): ListStatement[][] => productListSql({ limit: LIMIT, ...p });
/** `GET /orders`, limit 20 (an order number matches no customer's name or email: no qCustomerIds). */
const orders = (p: Omit<OrderListParams, 'limit'>): ListStatement[][] => [[orderListSql({ limit: LIMIT, ...p })]];

/** The keyset values inside a cursor (what the service decodes from it). */
function cursorValues(cursor: string | undefined): readonly [unknown, unknown] | undefined {
  if (!cursor) return undefined;
  const { v } = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as { v: [unknown, unknown] };
  return v;
}

/** A search without `sort`: ranked by relevance (exact SKU, name words or fragment, SKU fragment). */
const search = (label: string, term: string): Scenario => ({
  label,
  kind: 'list',
  request: (ctx) => ({ method: 'GET', path: `/api/v1/products?q=${encodeURIComponent(term)}`, token: ctx.staffToken }),
  plan: () => products({ q: term, order: { by: 'relevance' } }),
});

export const SCENARIOS: Scenario[] = [
  {
    label: 'GET /products?limit=20 (by name)',
    kind: 'list',
    request: (ctx) => ({ method: 'GET', path: '/api/v1/products?limit=20', token: ctx.staffToken }),
    plan: () => products({ order: byName }),
  },
  search('GET /products?q=modello 999 (rare)', 'modello 999'),
  // A word in every name with a rarer token (issue 31), and queries whose every word is common.
  search('GET /products?q=modello 99 (number, prefix of 11,111)', 'modello 99'),
  search('GET /products?q=toner 85 (number, 85A toners)', 'toner 85'),
  search('GET /products?q=toner blu modello 777 (common words, number)', 'toner blu modello 777'),
  search('GET /products?q=modello zanzibar (common + rare word)', 'modello zanzibar'),
  search('GET /products?q=toner blu (all common)', 'toner blu'),
  search('GET /products?q=modello toner (all common)', 'modello toner'),
  search('GET /products?q=toner penna (common, never together)', 'toner penna'),
  search('GET /products?q=toner (common)', 'toner'),
  search('GET /products?q=penne (Italian plural)', 'penne'),
  search('GET /products?q=caffe (no accent)', 'caffe'),
  search('GET /products?q=SKU-00000500', 'SKU-00000500'),
  {
    label: 'GET /products?lowStock=true',
    kind: 'list',
    request: (ctx) => ({ method: 'GET', path: '/api/v1/products?lowStock=true', token: ctx.staffToken }),
    plan: () => products({ lowStock: true, order: byName }),
  },
  {
    label: 'GET /products?category=cat-7',
    kind: 'list',
    request: (ctx) => ({ method: 'GET', path: '/api/v1/products?category=cat-7', token: ctx.staffToken }),
    plan: () => products({ category: 'cat-7', order: byName }),
  },
  {
    label: 'GET /products?sort=-createdAt, page 21',
    kind: 'list',
    request: (ctx) => ({
      method: 'GET',
      path: `/api/v1/products?sort=-createdAt&limit=20&cursor=${encodeURIComponent(ctx.page21Cursor ?? '')}`,
      token: ctx.staffToken,
    }),
    plan: (ctx) => products({ order: { by: 'sort', key: 'createdAt', descending: true, after: cursorValues(ctx.page21Cursor) } }),
  },
  {
    label: 'GET /products/{id}/stock-movements',
    kind: 'list',
    request: (ctx) => ({ method: 'GET', path: `/api/v1/products/${productId(Math.min(500, ctx.products))}/stock-movements`, token: ctx.staffToken }),
    // stockRepository's first ledger page.
    plan: (ctx) => [
      [{ text: 'SELECT * FROM stock_movements WHERE product_id = $1 ORDER BY seq DESC LIMIT $2', values: [productId(Math.min(500, ctx.products)), LIMIT + 1] }],
    ],
  },
  {
    label: 'GET /orders?q=QS-2025-0000999 (staff)',
    kind: 'list',
    request: (ctx) => ({ method: 'GET', path: '/api/v1/orders?q=QS-2025-0000999', token: ctx.staffToken }),
    plan: () => orders({ q: 'QS-2025-0000999' }),
  },
  {
    label: 'GET /orders (staff)',
    kind: 'list',
    request: (ctx) => ({ method: 'GET', path: '/api/v1/orders', token: ctx.staffToken }),
    plan: () => orders({}),
  },
  {
    label: 'GET /orders?status=paid (staff)',
    kind: 'list',
    request: (ctx) => ({ method: 'GET', path: '/api/v1/orders?status=paid', token: ctx.staffToken }),
    plan: () => orders({ status: ['paid'] }),
  },
  {
    label: 'GET /orders?customerId= (staff)',
    kind: 'list',
    request: (ctx) => ({ method: 'GET', path: `/api/v1/orders?customerId=${customerId(7)}`, token: ctx.staffToken }),
    plan: () => orders({ customerId: customerId(7) }),
  },
  {
    label: 'GET /orders (customer, own)',
    kind: 'list',
    request: (ctx) => ({ method: 'GET', path: '/api/v1/orders', token: ctx.customerToken }),
    plan: () => orders({ customerId: customerId(7) }),
  },
  {
    label: 'GET /orders/{id}',
    kind: 'read',
    request: (ctx) => ({ method: 'GET', path: `/api/v1/orders/${orderId(Math.ceil(ctx.orders / 2))}`, token: ctx.staffToken }),
    // orderRepository's read by id.
    plan: (ctx) => [[{ text: 'SELECT * FROM orders WHERE id = $1', values: [orderId(Math.ceil(ctx.orders / 2))] }]],
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
        body: {
          shippingAddress: ADDRESS,
          items: [
            { productId: productId(a), quantity: 1 },
            { productId: productId(b), quantity: 2 },
          ],
        },
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
