import type { Schemas } from '../platform/http/contract';
import type { PaymentView } from '../payments';
import type { ShipmentView } from '../shipping';
import type { HistoryRecord, ItemRecord, OrderListRecord, OrderRecord, PlacedLine } from './order.repository';
import type { CustomerSummary } from './order-context';

export type OrderView = Schemas['Order'];
export type OrderSummary = Schemas['OrderSummary'];
export type HistoryEntry = Schemas['OrderHistoryEntry'];
type OrderLine = Schemas['OrderLine'];

const iso = (d: Date | string): string => new Date(d).toISOString();

function totalsOf(order: OrderRecord): Schemas['Totals'] {
  return { netCents: Number(order.netCents), vatCents: Number(order.vatCents), grossCents: Number(order.grossCents) };
}

/** An order line, from a stored line (bigint amounts as text) or a line just priced. */
export function toOrderLine(l: ItemRecord | PlacedLine): OrderLine {
  return {
    productId: l.productId,
    sku: l.sku,
    name: l.name,
    quantity: l.quantity,
    unitPriceCents: l.unitPriceCents,
    vatRate: l.vatRate,
    netCents: Number(l.netCents),
    vatCents: Number(l.vatCents),
    grossCents: Number(l.grossCents),
    // A line just placed has shipped and cancelled nothing.
    shippedQuantity: 'shippedQuantity' in l ? l.shippedQuantity : 0,
    cancelledQuantity: 'cancelledQuantity' in l ? l.cancelledQuantity : 0,
  };
}

/**
 * How much of the order came back through returns, from the lines' counts: `returned` when every
 * shipped unit was received back (and something shipped), `partially_returned` when some were.
 */
export function returnStatusOf(lines: readonly { shippedQuantity: number; returnedQuantity: number }[]): OrderView['returnStatus'] {
  const shipped = lines.reduce((n, l) => n + l.shippedQuantity, 0);
  const returned = lines.reduce((n, l) => n + l.returnedQuantity, 0);
  if (returned === 0) return 'none';
  return returned === shipped ? 'returned' : 'partially_returned';
}

/** The one builder of the order view, for a read and for a placement alike (`refundedCents`: Σ of the order's succeeded refunds). */
export function toOrderView(
  order: OrderRecord,
  customer: CustomerSummary,
  items: OrderLine[],
  payments: PaymentView[],
  shipments: ShipmentView[],
  refundedCents = 0,
  returnStatus: OrderView['returnStatus'] = 'none',
): OrderView {
  return {
    id: order.id,
    number: order.number,
    customerId: order.customerId,
    customer,
    status: order.status,
    items,
    totals: totalsOf(order),
    currency: order.currency,
    shippingAddress: order.shippingAddress,
    notes: order.notes,
    reservedUntil: order.reservedUntil ? iso(order.reservedUntil) : null,
    payments,
    shipments,
    refundedCents,
    returnStatus,
    createdAt: iso(order.createdAt),
    updatedAt: iso(order.updatedAt),
  };
}

export function toSummary(order: OrderListRecord, customer: CustomerSummary): OrderSummary {
  return {
    id: order.id,
    number: order.number,
    customerId: order.customerId,
    customer,
    status: order.status,
    totals: totalsOf(order),
    currency: order.currency,
    itemCount: order.itemCount,
    createdAt: iso(order.createdAt),
    updatedAt: iso(order.updatedAt),
  };
}

export function toHistoryEntry(r: HistoryRecord): HistoryEntry {
  return { from: r.fromStatus, to: r.toStatus, actorId: r.actorId, actorRole: r.actorRole, reason: r.reason, at: iso(r.at) };
}
