import type { DbTarget } from '../platform/db/db';
import type { Schemas } from '../platform/http/contract';
import type { ProductRecord, ProductsService } from '../products';
import { purchaseOrderRepository as orders } from './purchase-order.repository';
import { supplierRepository as suppliers } from './supplier.repository';

export type Proposals = Schemas['PurchaseOrderProposals'];
type LowProduct = Schemas['LowProduct'];

/** The most one purchase order line may ask for (the contract's and the database's bound). */
const MAX_LINE_QUANTITY = 1_000_000;

/** The most lines one purchase order has (the contract's `PurchaseOrder.lines`): a longer proposal is split. */
export const MAX_LINES_PER_ORDER = 100;

/**
 * How much of a low product to order: its `reorderQuantity`, or (when null) enough to bring
 * `available` to twice its reorder level, less what sent purchase orders already bring.
 */
export function proposedQuantity(p: Pick<ProductRecord, 'reorderQuantity' | 'reorderLevel' | 'onHand' | 'reserved' | 'incoming'>): number {
  const available = p.onHand - p.reserved;
  const wanted = p.reorderQuantity ?? 2 * p.reorderLevel - available;
  return Math.min(MAX_LINE_QUANTITY, wanted - p.incoming);
}

const lowProduct = (p: ProductRecord): LowProduct => ({
  productId: p.id,
  sku: p.sku,
  name: p.name,
  available: p.onHand - p.reserved,
  reorderLevel: p.reorderLevel,
  incoming: p.incoming,
});

/**
 * One proposed draft per (active) supplier of the products that are low now, by supplier name (a
 * supplier with more than MAX_LINES_PER_ORDER such products gets several, in the products' order); a
 * product whose quantity comes to 0 or less (enough is incoming) is left out; low products without a
 * supplier (or whose supplier is archived) are listed apart. Each line's cost is the last one paid
 * to that supplier for it (0 when none). Reads only.
 */
export async function proposeFor(target: DbTarget, products: ProductsService): Promise<Proposals> {
  const low = await products.lowStock(target);
  const supplierRows = await suppliers.findMany(
    target,
    low.flatMap((p) => (p.supplierId ? [p.supplierId] : [])),
  );
  const active = new Map(supplierRows.filter((s) => !s.archived).map((s) => [s.id, s]));
  const withoutSupplier = low.filter((p) => !p.supplierId || !active.has(p.supplierId)).map(lowProduct);
  const toOrder = low.filter((p) => p.supplierId && active.has(p.supplierId) && proposedQuantity(p) > 0);
  const costs = await orders.lastCosts(
    target,
    toOrder.map((p) => ({ supplierId: p.supplierId as string, productId: p.id })),
  );
  const bySupplier = new Map<string, ProductRecord[]>();
  for (const p of toOrder) bySupplier.set(p.supplierId as string, [...(bySupplier.get(p.supplierId as string) ?? []), p]);
  const chunks = [...bySupplier.entries()].flatMap(([supplierId, items]) =>
    Array.from(
      { length: Math.ceil(items.length / MAX_LINES_PER_ORDER) },
      (_, i) => [supplierId, items.slice(i * MAX_LINES_PER_ORDER, (i + 1) * MAX_LINES_PER_ORDER)] as const,
    ),
  );
  const proposals = chunks.map(([supplierId, items]) => {
    const lines = items.map((p) => ({
      ...lowProduct(p),
      supplierSku: p.supplierSku,
      reorderQuantity: p.reorderQuantity,
      quantity: proposedQuantity(p),
      unitCostCents: costs.get(`${supplierId}:${p.id}`) ?? 0,
    }));
    return {
      supplierId,
      supplierName: active.get(supplierId)?.name ?? '',
      lines,
      totalCents: lines.reduce((sum, l) => sum + l.quantity * l.unitCostCents, 0),
    };
  });
  // Stable: a supplier's drafts keep their order.
  proposals.sort((a, b) => a.supplierName.localeCompare(b.supplierName, 'it') || (a.supplierId === b.supplierId ? 0 : a.supplierId < b.supplierId ? -1 : 1));
  return { proposals, withoutSupplier };
}
