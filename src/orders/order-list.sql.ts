import { likePrefix } from '../platform/db/like';
import type { SqlStatement } from '../platform/db/sql';
import type { OrderStatus } from './order-state-machine';

export interface OrderListParams {
  limit: number;
  customerId?: string;
  /** Any of these statuses. */
  status?: readonly OrderStatus[];
  createdFrom?: string;
  createdTo?: string;
  /** The order number or its start… */
  q?: string;
  /** …or, with `q`, an order of one of these customers (users matched the name or email). */
  qCustomerIds?: readonly string[];
  after?: readonly [string, string];
}

/**
 * The SQL behind `GET /orders` as a pure function, so the query-plan test and the scale bench run
 * exactly the service's SQL. Newest first, keyset-paged on (created_at, id), limit+1 rows. Each
 * filter has an index in that order (orders_created_idx, orders_customer_idx, orders_status_idx per
 * status; numbers by prefix through orders_number_prefix_idx). Several statuses are one branch per
 * status, merged: `status = ANY(…)` would read every order of those statuses and sort them.
 */
export function orderListSql(f: OrderListParams): SqlStatement {
  const values: unknown[] = [];
  const param = (value: unknown) => `$${values.push(value)}`;
  const where: string[] = [];
  if (f.customerId) where.push(`customer_id = ${param(f.customerId)}`);
  if (f.createdFrom) where.push(`created_at >= ${param(f.createdFrom)}`);
  if (f.createdTo) where.push(`created_at < ${param(f.createdTo)}`);
  if (f.q) {
    // Numbers are upper case (QS-2026-000123): the prefix is matched as typed, upper-cased.
    const byNumber = `number LIKE ${param(likePrefix(f.q.toUpperCase()))}`;
    where.push(f.qCustomerIds?.length ? `(${byNumber} OR customer_id = ANY(${param(f.qCustomerIds)}::uuid[]))` : byNumber);
  }
  if (f.after) where.push(`(created_at, id) < (CAST(${param(f.after[0])} AS timestamptz), CAST(${param(f.after[1])} AS uuid))`);
  const limit = param(f.limit + 1);
  const order = 'ORDER BY created_at DESC, id DESC';
  const branch = (extra: string[]) => {
    const all = [...extra, ...where];
    return `SELECT * FROM orders ${all.length ? `WHERE ${all.join(' AND ')}` : ''} ${order} LIMIT ${limit}`;
  };
  const statuses = [...new Set(f.status ?? [])];
  const inner = statuses.length ? statuses.map((s) => `(${branch([`status = ${param(s)}`])})`).join(' UNION ALL ') : branch([]);
  return {
    text: `SELECT o.*, (SELECT count(*) FROM order_items i WHERE i.order_id = o.id) AS item_count
             FROM (${inner}) o ${order.replace(/created_at|id/g, (c) => `o.${c}`)} LIMIT ${limit}`,
    values,
  };
}
