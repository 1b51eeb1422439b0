import type { Schemas } from '../platform/http/contract';
import type { ProductRecord } from './product.repository';

export type ProductView = Schemas['Product'];

/**
 * The product as `staff` see it; customers never see its purchasing data (supplier, supplier's code,
 * reorder quantity, units incoming).
 */
export function toProductView(p: ProductRecord, staff = true): ProductView {
  const view: ProductView = {
    id: p.id,
    sku: p.sku,
    name: p.name,
    description: p.description,
    category: p.category,
    barcode: p.barcode,
    unitPriceCents: p.unitPriceCents,
    vatRate: p.vatRate as ProductView['vatRate'],
    reorderLevel: p.reorderLevel,
    reorderQuantity: p.reorderQuantity,
    supplierId: p.supplierId,
    supplierSku: p.supplierSku,
    active: p.active,
    onHand: p.onHand,
    reserved: p.reserved,
    available: p.onHand - p.reserved,
    incoming: p.incoming,
    createdAt: new Date(p.createdAt).toISOString(),
    updatedAt: new Date(p.updatedAt).toISOString(),
  };
  if (!staff) {
    delete view.reorderQuantity;
    delete view.supplierId;
    delete view.supplierSku;
    delete view.incoming;
  }
  return view;
}

export function etagOf(row: { id: string; version: number }): string {
  return `"${row.id.slice(0, 8)}-${row.version}"`;
}
