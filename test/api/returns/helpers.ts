import { asAdmin, ok, type Schemas } from '../../support/api';
import { client } from '../../support/client';
import { query } from '../../support/database';
import { preparedOrder, shipManually, type LineSpec, type PreparedOrder } from '../fulfilment/helpers';

export type ReturnView = Schemas['Return'];

/** An order shipped whole with the manual carrier and, unless told otherwise, delivered (staff's step). */
export async function deliveredOrder(lines: LineSpec[], options: { deliver?: boolean } = {}): Promise<PreparedOrder> {
  const made = await preparedOrder(lines);
  ok(await shipManually(made.order.id));
  if (options.deliver !== false) {
    ok(await client(await asAdmin()).POST('/api/v1/orders/{id}/status', { params: { path: { id: made.order.id } }, body: { status: 'delivered' } }));
  }
  return made;
}

/** Asks for a return through the typed client (the answer as it came). */
export function askReturn(token: string, orderId: string, lines: Schemas['ReturnLineRequest'][], options: { key?: string; note?: string | null } = {}) {
  return client(token).POST('/api/v1/orders/{id}/returns', {
    params: { path: { id: orderId } },
    body: { lines, ...(options.note === undefined ? {} : { note: options.note }) },
    headers: options.key ? { 'idempotency-key': options.key } : {},
  });
}

type Step = 'approve' | 'cancel' | 'close';

/** One bodiless step of a return's life (the three operations have the same shape). */
export function stepReturn(token: string, id: string, step: Step, key?: string) {
  const path = `/api/v1/returns/{id}/${step}` as '/api/v1/returns/{id}/approve';
  return client(token).POST(path, { params: { path: { id } }, headers: key ? { 'idempotency-key': key } : {} });
}

export function receiveReturn(token: string, id: string, lines: Schemas['ReceiveReturnLine'][], key?: string) {
  return client(token).POST('/api/v1/returns/{id}/receive', { params: { path: { id } }, body: { lines }, headers: key ? { 'idempotency-key': key } : {} });
}

/** The order's returns and their lines as stored. */
export async function storedReturns(orderId: string): Promise<{ id: string; status: string; origin: string; lines: number }[]> {
  return query(
    `SELECT r.id, r.status, r.origin, (SELECT count(*)::int FROM return_lines l WHERE l.return_id = r.id) AS lines
       FROM returns r WHERE r.order_id = $1 ORDER BY r.created_at, r.id`,
    [orderId],
  );
}

/** Each order line's returned count, by product. */
export async function returnedOf(orderId: string): Promise<Record<string, number>> {
  const rows = await query<{ product_id: string; returned_quantity: number }>('SELECT product_id, returned_quantity FROM order_items WHERE order_id = $1', [
    orderId,
  ]);
  return Object.fromEntries(rows.map((r) => [r.product_id, r.returned_quantity]));
}
