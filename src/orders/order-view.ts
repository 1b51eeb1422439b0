import type { Schemas } from '../platform/http/contract';
import type { PaymentView } from '../payments';
import type { ShipmentView } from '../shipping';
import type { HistoryRecord, ItemRecord, OrderRow, PlacedLine } from './order.repository';
import type { CustomerSummary } from './order-context';

export type OrderView = Schemas['Order'];
export type OrderSummary = Schemas['OrderSummary'];
export type HistoryEntry = Schemas['OrderHistoryEntry'];
type OrderLine = Schemas['OrderLine'];

const iso = (d: Date | string): string => new Date(d).toISOString();

function totalsOf(row: { net_cents: string; vat_cents: string; gross_cents: string }): Schemas['Totals'] {
  return { netCents: Number(row.net_cents), vatCents: Number(row.vat_cents), grossCents: Number(row.gross_cents) };
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
  };
}

/** The one builder of the order view, for a read and for a placement alike. */
export function toOrderView(row: OrderRow, customer: CustomerSummary, items: OrderLine[], payments: PaymentView[], shipments: ShipmentView[]): OrderView {
  return {
    id: row.id,
    number: row.number,
    customerId: row.customer_id,
    customer,
    status: row.status,
    items,
    totals: totalsOf(row),
    currency: row.currency,
    shippingAddress: row.shipping_address,
    notes: row.notes,
    reservedUntil: row.reserved_until ? iso(row.reserved_until) : null,
    payments,
    shipments,
    createdAt: iso(row.created_at),
    updatedAt: iso(row.updated_at),
  };
}

export function toSummary(row: OrderRow, customer: CustomerSummary): OrderSummary {
  return {
    id: row.id,
    number: row.number,
    customerId: row.customer_id,
    customer,
    status: row.status,
    totals: totalsOf(row),
    currency: row.currency,
    itemCount: Number(row.item_count ?? 0),
    createdAt: iso(row.created_at),
    updatedAt: iso(row.updated_at),
  };
}

export function toHistoryEntry(r: HistoryRecord): HistoryEntry {
  return { from: r.fromStatus, to: r.toStatus, actorId: r.actorId, actorRole: r.actorRole, reason: r.reason, at: iso(r.at) };
}
