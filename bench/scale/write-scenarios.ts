/**
 * What `make bench-scale` times in write mode (BENCH_SCALE_MODE=write): the order, stock-movement and
 * order-read rows of scenarios.ts, and the fulfilment paths — a partial shipment, a return and a
 * refund — each against an order made for it before the timed request, through the API, untimed:
 *
 * - partial shipment: customer 7 places an order of three lines (2, 3 and 4 units of stocked
 *   products), staff record a manual payment (a bank transfer: captured at once, no provider) and
 *   start preparing it; timed: staff ship part of it with the manual carrier (no label to buy) —
 *   all of line 1 and one unit of line 2 — so the order becomes `partially_shipped`;
 * - return: an order of two lines, paid, prepared, shipped whole (manual carrier) and marked
 *   delivered; timed: its customer asks to return one unit of line 1 (the customer's path: the
 *   return window is checked against the delivery in the history);
 * - refund: an order of two lines, paid by a manual payment; timed: staff refund a quarter of it —
 *   a manual payment's refund is recorded `succeeded` within the request (staff pay it back).
 *
 * Each timed request carries an `Idempotency-Key`, as the console sends it, and must answer 2xx
 * with what the contract promises (checked); the verdict wants each within 1.5× of the small p50.
 * Against the large database these run beside N orders whose payments, shipments, returns and
 * refunds were loaded too (`LoadSize.fulfilment`), so every table they write is large.
 */
import { randomUUID } from 'node:crypto';
import { productId } from './load';
import { ADDRESS, SCENARIOS, type Api, type Scenario, type ScenarioContext, type Target } from './scenarios';

/** The bound for the fulfilment paths: large p50 within 1.5× small. */
const FULFILMENT_MAX_RATIO = 1.5;

/** Order `n`'s `lines` stocked products, distinct, spread over the list as `n` grows. */
function productsOf(ctx: ScenarioContext, n: number, lines: number): string[] {
  const list = ctx.stockedProducts;
  return Array.from({ length: lines }, (_, j) => productId(list[(n * 3 + j) % list.length] as number));
}

/** Customer 7's order of `lines` lines (2, 3, 4… units), paid by staff with a manual payment. */
async function paidOrder(api: Api, ctx: ScenarioContext, n: number, lines: number): Promise<Target> {
  const productIds = productsOf(ctx, n, lines);
  const order = await api('POST', '/api/v1/orders', ctx.customerToken, {
    shippingAddress: ADDRESS,
    items: productIds.map((id, j) => ({ productId: id, quantity: 2 + j })),
  });
  await api('POST', `/api/v1/orders/${order.id}/payments`, ctx.staffToken, { provider: 'manual', reference: `Bonifico bench ${n}` });
  return { orderId: order.id as string, productIds, grossCents: order.totals.grossCents as number };
}

const prepareOrder = (api: Api, ctx: ScenarioContext, t: Target) =>
  api('POST', `/api/v1/orders/${t.orderId}/status`, ctx.staffToken, { status: 'in_preparation' });

/** `count` targets, one after the other (each a few requests; sequential, as the timed ones are). */
async function targets(n: number, count: number, make: (n: number) => Promise<Target>): Promise<Target[]> {
  const made: Target[] = [];
  for (let i = 0; i < count; i += 1) made.push(await make(n + i));
  return made;
}

const keyed = () => ({ 'idempotency-key': randomUUID() });
const need = (target: Target | undefined): Target => {
  if (!target) throw new Error('a fulfilment scenario was sent without the order prepared for it');
  return target;
};

export const FULFILMENT_SCENARIOS: Scenario[] = [
  {
    label: 'POST /orders/{id}/shipments (partial, 2 of 3 lines)',
    kind: 'write',
    maxRatio: FULFILMENT_MAX_RATIO,
    prepare: (api, ctx, n, count) =>
      targets(n, count, async (k) => {
        const t = await paidOrder(api, ctx, k, 3);
        await prepareOrder(api, ctx, t);
        return t;
      }),
    request: (ctx, n, target) => {
      const t = need(target);
      return {
        method: 'POST',
        path: `/api/v1/orders/${t.orderId}/shipments`,
        token: ctx.staffToken,
        headers: keyed(),
        body: {
          carrier: 'manual',
          carrierName: 'BRT',
          trackingCode: `0845${String(n).padStart(11, '0')}`,
          lines: [
            { productId: t.productIds[0], quantity: 2 },
            { productId: t.productIds[1], quantity: 1 },
          ],
        },
      };
    },
    check: (body) => (body?.status === 'in_transit' && body?.lines?.length === 2 ? undefined : `shipment ${JSON.stringify(body).slice(0, 200)}`),
  },
  {
    label: 'POST /orders/{id}/returns (customer, 1 unit)',
    kind: 'write',
    maxRatio: FULFILMENT_MAX_RATIO,
    prepare: (api, ctx, n, count) =>
      targets(n, count, async (k) => {
        const t = await paidOrder(api, ctx, k, 2);
        await prepareOrder(api, ctx, t);
        await api('POST', `/api/v1/orders/${t.orderId}/shipments`, ctx.staffToken, { carrier: 'manual', carrierName: 'BRT', trackingCode: `0846${k}` });
        await api('POST', `/api/v1/orders/${t.orderId}/status`, ctx.staffToken, { status: 'delivered' });
        return t;
      }),
    request: (ctx, _n, target) => {
      const t = need(target);
      return {
        method: 'POST',
        path: `/api/v1/orders/${t.orderId}/returns`,
        token: ctx.customerToken,
        headers: keyed(),
        body: { lines: [{ productId: t.productIds[0], quantity: 1, reason: 'damaged' }], note: 'Una risma arrivata bagnata.' },
      };
    },
    check: (body) => (body?.status === 'requested' && body?.lines?.length === 1 ? undefined : `return ${JSON.stringify(body).slice(0, 200)}`),
  },
  {
    label: 'POST /orders/{id}/refunds (manual payment, part)',
    kind: 'write',
    maxRatio: FULFILMENT_MAX_RATIO,
    prepare: (api, ctx, n, count) => targets(n, count, (k) => paidOrder(api, ctx, k, 2)),
    request: (ctx, _n, target) => {
      const t = need(target);
      return {
        method: 'POST',
        path: `/api/v1/orders/${t.orderId}/refunds`,
        token: ctx.staffToken,
        headers: keyed(),
        body: { amountCents: Math.max(1, Math.floor(t.grossCents / 4)), reason: 'Risma arrivata danneggiata' },
      };
    },
    check: (body) => (body?.status === 'succeeded' ? undefined : `refund ${JSON.stringify(body).slice(0, 200)}`),
  },
];

/** The write path alone: what grows with orders and the ledger, then the fulfilment paths. */
export const WRITE_SCENARIOS: Scenario[] = [...SCENARIOS.filter((s) => s.kind === 'write' || s.label.startsWith('GET /orders/{id}')), ...FULFILMENT_SCENARIOS];
