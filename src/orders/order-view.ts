import type { Schemas } from '../platform/http/contract';
import type { PaymentView } from '../payments';
import type { ShipmentView } from '../shipping';
import type { HistoryRow, ItemRow, OrderRow, PlacedLine } from './order.repository';

export type OrderView = Schemas['Order'];
export type OrderSummary = Schemas['OrderSummary'];
export type HistoryEntry = Schemas['OrderHistoryEntry'];
type OrderLine = Schemas['OrderLine'];

const iso = (d: Date | string): string => new Date(d).toISOString();

function totalsOf(row: { net_cents: string; vat_cents: string; gross_cents: string }): Schemas['Totals'] {
  return { netCents: Number(row.net_cents), vatCents: Number(row.vat_cents), grossCents: Number(row.gross_cents) };
}

export function itemOf(i: ItemRow): OrderLine {
  return {
    productId: i.product_id,
    sku: i.sku,
    name: i.name,
    quantity: i.quantity,
    unitPriceCents: i.unit_price_cents,
    vatRate: i.vat_rate,
    netCents: Number(i.net_cents),
    vatCents: Number(i.vat_cents),
    grossCents: Number(i.gross_cents),
  };
}

export function placedItemOf(l: PlacedLine): OrderLine {
  return {
    productId: l.productId,
    sku: l.sku,
    name: l.name,
    quantity: l.quantity,
    unitPriceCents: l.unitPriceCents,
    vatRate: l.vatRate,
    netCents: l.netCents,
    vatCents: l.vatCents,
    grossCents: l.grossCents,
  };
}

/** The one builder of the order view, for a read and for a placement alike. */
export function toOrderView(row: OrderRow, items: OrderLine[], payments: PaymentView[], shipments: ShipmentView[]): OrderView {
  return {
    id: row.id,
    number: row.number,
    customerId: row.customer_id,
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

export function toSummary(row: OrderRow): OrderSummary {
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

export function toHistoryEntry(r: HistoryRow): HistoryEntry {
  return { from: r.from_status, to: r.to_status, actorId: r.actor_id, actorRole: r.actor_role, reason: r.reason, at: iso(r.at) };
}
