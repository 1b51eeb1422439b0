import type { Schemas } from '../platform/http/contract';

export type ProductView = Schemas['Product'];

/** A products row as raw SQL returns it (snake_case). */
export interface ProductRow {
  id: string;
  sku: string;
  name: string;
  description: string | null;
  category: string | null;
  unit_price_cents: number;
  vat_rate: number;
  reorder_level: number;
  active: boolean;
  on_hand: number;
  reserved: number;
  version: number;
  created_at: Date;
  updated_at: Date;
}

export function toProductView(row: ProductRow): ProductView {
  return {
    id: row.id,
    sku: row.sku,
    name: row.name,
    description: row.description,
    category: row.category,
    unitPriceCents: row.unit_price_cents,
    vatRate: row.vat_rate as ProductView['vatRate'],
    reorderLevel: row.reorder_level,
    active: row.active,
    onHand: row.on_hand,
    reserved: row.reserved,
    available: row.on_hand - row.reserved,
    createdAt: new Date(row.created_at).toISOString(),
    updatedAt: new Date(row.updated_at).toISOString(),
  };
}

export function etagOf(row: { id: string; version: number }): string {
  return `"${row.id.slice(0, 8)}-${row.version}"`;
}
