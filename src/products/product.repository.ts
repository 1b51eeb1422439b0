import { literal } from 'sequelize';
import type { DbTarget, Tx } from '../platform/db/db';
import { sql, sqlOne, transactionOf } from '../platform/db/sql';
import { ProductModel } from './product.model';
import { productListSql, runProductList, type ProductListParams, type RelevanceTier } from './product-list.sql';

/** Catalog columns a change may set (contract name → column). */
export const CATALOG_COLUMNS = {
  name: 'name',
  description: 'description',
  category: 'category',
  barcode: 'barcode',
  unitPriceCents: 'unit_price_cents',
  vatRate: 'vat_rate',
  reorderLevel: 'reorder_level',
  reorderQuantity: 'reorder_quantity',
  supplierId: 'supplier_id',
  supplierSku: 'supplier_sku',
  active: 'active',
} as const;

export type CatalogChange = Partial<Record<keyof typeof CATALOG_COLUMNS, unknown>>;

export interface NewProduct {
  sku: string;
  name: string;
  description: string | null;
  category: string | null;
  barcode: string | null;
  unitPriceCents: number;
  vatRate: number;
  reorderLevel: number;
  reorderQuantity: number | null;
  supplierId: string | null;
  supplierSku: string | null;
}

/** A product as the repository hands it out (the mapper turns it into the contract's view). */
export interface ProductRecord {
  id: string;
  sku: string;
  name: string;
  description: string | null;
  category: string | null;
  barcode: string | null;
  unitPriceCents: number;
  vatRate: number;
  reorderLevel: number;
  reorderQuantity: number | null;
  supplierId: string | null;
  supplierSku: string | null;
  active: boolean;
  onHand: number;
  reserved: number;
  incoming: number;
  version: number;
  createdAt: Date;
  updatedAt: Date;
}

/** A listed product; `tier` is its relevance tier in a ranked search. */
export type ListedProductRecord = ProductRecord & { tier?: RelevanceTier };

/** A products row as the raw statements (the row lock, the list) return it. */
interface ProductRow {
  id: string;
  sku: string;
  name: string;
  description: string | null;
  category: string | null;
  barcode: string | null;
  unit_price_cents: number;
  vat_rate: number;
  reorder_level: number;
  reorder_quantity: number | null;
  supplier_id: string | null;
  supplier_sku: string | null;
  active: boolean;
  on_hand: number;
  reserved: number;
  incoming: number;
  version: number;
  created_at: Date;
  updated_at: Date;
}

type ListedProductRow = ProductRow & { tier?: RelevanceTier };

function toProductRecord(row: ProductRow): ProductRecord {
  return {
    id: row.id,
    sku: row.sku,
    name: row.name,
    description: row.description,
    category: row.category,
    barcode: row.barcode,
    unitPriceCents: row.unit_price_cents,
    vatRate: row.vat_rate,
    reorderLevel: row.reorder_level,
    reorderQuantity: row.reorder_quantity,
    supplierId: row.supplier_id,
    supplierSku: row.supplier_sku,
    active: row.active,
    onHand: row.on_hand,
    reserved: row.reserved,
    incoming: row.incoming,
    version: row.version,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

function toListedProductRecord(row: ListedProductRow): ListedProductRecord {
  const record: ListedProductRecord = toProductRecord(row);
  if (row.tier !== undefined) record.tier = row.tier;
  return record;
}

/** The model's attributes are camelCase already: only the record's fields are kept. */
function fromModel(model: ProductModel): ProductRecord {
  const p = model.get({ plain: true }) as ProductModel;
  return {
    id: p.id,
    sku: p.sku,
    name: p.name,
    description: p.description,
    category: p.category,
    barcode: p.barcode,
    unitPriceCents: p.unitPriceCents,
    vatRate: p.vatRate,
    reorderLevel: p.reorderLevel,
    reorderQuantity: p.reorderQuantity,
    supplierId: p.supplierId,
    supplierSku: p.supplierSku,
    active: p.active,
    onHand: p.onHand,
    reserved: p.reserved,
    incoming: p.incoming,
    version: p.version,
    createdAt: p.createdAt,
    updatedAt: p.updatedAt,
  };
}

/** Every attribute but `lowStock`, which the database generates (migration 0008) and refuses to be given. */
let insertable: (keyof ProductModel)[] | undefined;
function insertableFields(): (keyof ProductModel)[] {
  insertable ??= Object.keys(ProductModel.getAttributes()).filter((name) => name !== 'lowStock') as (keyof ProductModel)[];
  return insertable;
}

/** Every catalog change bumps the row's version (the ETag). */
const NEXT_VERSION = { version: literal('version + 1') };

/** The catalog columns of products (stock columns are inventory's): the only code that names the table for the catalog. */
export const productRepository = {
  async insert(target: DbTarget, p: NewProduct): Promise<ProductRecord> {
    return fromModel(await ProductModel.create({ ...p }, { transaction: transactionOf(target), fields: insertableFields() }));
  },

  async find(target: DbTarget, id: string): Promise<ProductRecord | undefined> {
    const row = await ProductModel.findByPk(id, { transaction: transactionOf(target) });
    return row ? fromModel(row) : undefined;
  },

  /** Raw: a row lock (SELECT … FOR UPDATE). */
  async lock(tx: Tx, id: string): Promise<ProductRecord | undefined> {
    const row = await sqlOne<ProductRow>(tx, 'SELECT * FROM products WHERE id = $1 FOR UPDATE', [id]);
    return row && toProductRecord(row);
  },

  /** Serialises the demo seeding of several instances starting at once (a transaction-scoped advisory lock). */
  async lockDemoSeed(tx: Tx): Promise<void> {
    await sql(tx, "SELECT pg_advisory_xact_lock(hashtext('quickstock-demo-seed'))");
  },

  /** Products by id (any order), for another module's view of them. */
  async findMany(target: DbTarget, ids: readonly string[]): Promise<ProductRecord[]> {
    if (ids.length === 0) return [];
    const rows = await sql<ProductRow>(target, 'SELECT * FROM products WHERE id = ANY($1::uuid[])', [[...new Set(ids)]]);
    return rows.map(toProductRecord);
  },

  /** The active products at or below their reorder level, by name: served by products_low_name_idx (WHERE low_stock). */
  async lowStock(target: DbTarget): Promise<ProductRecord[]> {
    const rows = await sql<ProductRow>(target, 'SELECT * FROM products WHERE low_stock AND active ORDER BY lower(name), id');
    return rows.map(toProductRecord);
  },

  count(target: DbTarget): Promise<number> {
    return ProductModel.count({ transaction: transactionOf(target) });
  },

  async update(tx: Tx, id: string, change: CatalogChange): Promise<ProductRecord> {
    const set = Object.fromEntries(Object.entries(change).filter(([field, value]) => field in CATALOG_COLUMNS && value !== undefined));
    const [, rows] = await ProductModel.update({ ...set, ...NEXT_VERSION }, { where: { id }, returning: true, transaction: tx });
    return fromModel(rows[0] as ProductModel);
  },

  async archive(tx: Tx, id: string): Promise<void> {
    await ProductModel.update({ active: false, ...NEXT_VERSION }, { where: { id }, transaction: tx });
  },

  async delete(tx: Tx, id: string): Promise<void> {
    await ProductModel.destroy({ where: { id }, transaction: tx });
  },

  /**
   * Raw SQL on the hot path (make bench: the product list): the statements of product-list.sql.ts,
   * run by runProductList (a search: a bounded walk, else its sorted matches; per relevance tier when ranked).
   */
  async list(db: DbTarget, params: ProductListParams): Promise<ListedProductRecord[]> {
    const rows = await runProductList(productListSql(params), params.limit, (s) => sql<ListedProductRow>(db, s.text, s.values));
    return rows.map(toListedProductRecord);
  },
};
