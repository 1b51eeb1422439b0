import type { Schemas } from '../platform/http/contract';
import type { ProductRecord } from '../products';
import type { PurchaseOrderRecord, ReceiptRecord } from './purchase-order.repository';

export type PurchaseOrderView = Schemas['PurchaseOrder'];
export type PurchaseReceiptView = Schemas['PurchaseReceipt'];

/** What a line shows of its product (read through products' index). */
export type ProductInfo = Pick<ProductRecord, 'id' | 'sku' | 'name' | 'supplierSku'>;

const iso = (d: Date | null): string | null => (d === null ? null : new Date(d).toISOString());

export function toPurchaseOrderView(o: PurchaseOrderRecord, products: ReadonlyMap<string, ProductInfo>): PurchaseOrderView {
  const lines = o.lines.map((l) => {
    const p = products.get(l.productId);
    return {
      productId: l.productId,
      sku: p?.sku ?? '',
      name: p?.name ?? '',
      supplierSku: p?.supplierSku ?? null,
      quantity: l.quantity,
      unitCostCents: l.unitCostCents,
      receivedQuantity: l.receivedQuantity,
      totalCents: l.quantity * l.unitCostCents,
    };
  });
  return {
    id: o.id,
    number: o.number,
    supplierId: o.supplierId,
    supplierName: o.supplierName,
    status: o.status,
    expectedAt: o.expectedAt,
    notes: o.notes,
    lines,
    totalCents: lines.reduce((sum, l) => sum + l.totalCents, 0),
    createdAt: new Date(o.createdAt).toISOString(),
    updatedAt: new Date(o.updatedAt).toISOString(),
    sentAt: iso(o.sentAt),
    cancelledAt: iso(o.cancelledAt),
  };
}

export function toReceiptView(r: ReceiptRecord): PurchaseReceiptView {
  return {
    id: r.id,
    purchaseOrderId: r.purchaseOrderId,
    note: r.note,
    allowOverReceipt: r.allowOverReceipt,
    actorId: r.actorId,
    lines: r.lines.map((l) => ({ productId: l.productId, quantity: l.quantity, overReceived: l.overReceived })),
    createdAt: new Date(r.createdAt).toISOString(),
  };
}

export function purchaseOrderEtag(o: { id: string; version: number }): string {
  return `"${o.id.slice(0, 8)}-${o.version}"`;
}
