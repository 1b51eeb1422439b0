import type { Sequelize } from 'sequelize-typescript';
import { literal, type Transaction } from 'sequelize';
import { sql, sqlOne, transactionOf, type SqlTarget } from '../platform/db/sql';
import type { ProductRow } from './product.mapper';
import { ProductModel } from './product.model';
import { productListSql, runProductList, type ProductListParams, type RelevanceTier } from './product-list.sql';

/** Catalog columns a change may set (contract name → column). */
export const CATALOG_COLUMNS = {
  name: 'name',
  description: 'description',
  category: 'category',
  unitPriceCents: 'unit_price_cents',
  vatRate: 'vat_rate',
  reorderLevel: 'reorder_level',
  active: 'active',
} as const;

export type CatalogChange = Partial<Record<keyof typeof CATALOG_COLUMNS, unknown>>;

export interface NewProduct {
  sku: string;
  name: string;
  description: string | null;
  category: string | null;
  unitPriceCents: number;
  vatRate: number;
  reorderLevel: number;
}

/** A listed row; `tier` is its relevance tier in a ranked search. */
export type ListedProductRow = ProductRow & { tier?: RelevanceTier };

/** The model's attributes → the row shape the mapper and the list query share (snake_case columns). */
function toRow(model: ProductModel): ProductRow {
  const p = model.get({ plain: true }) as ProductModel;
  return {
    id: p.id,
    sku: p.sku,
    name: p.name,
    description: p.description,
    category: p.category,
    unit_price_cents: p.unitPriceCents,
    vat_rate: p.vatRate,
    reorder_level: p.reorderLevel,
    active: p.active,
    on_hand: p.onHand,
    reserved: p.reserved,
    version: p.version,
    created_at: p.createdAt,
    updated_at: p.updatedAt,
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
  async insert(target: SqlTarget, p: NewProduct): Promise<ProductRow> {
    return toRow(await ProductModel.create({ ...p }, { transaction: transactionOf(target), fields: insertableFields() }));
  },

  async find(target: SqlTarget, id: string): Promise<ProductRow | undefined> {
    const row = await ProductModel.findByPk(id, { transaction: transactionOf(target) });
    return row ? toRow(row) : undefined;
  },

  /** Raw: a row lock (SELECT … FOR UPDATE) in the shape the list query returns. */
  lock(tx: Transaction, id: string): Promise<ProductRow | undefined> {
    return sqlOne<ProductRow>(tx, 'SELECT * FROM products WHERE id = $1 FOR UPDATE', [id]);
  },

  count(target: SqlTarget): Promise<number> {
    return ProductModel.count({ transaction: transactionOf(target) });
  },

  async update(tx: Transaction, id: string, change: CatalogChange): Promise<ProductRow> {
    const set = Object.fromEntries(Object.entries(change).filter(([field, value]) => field in CATALOG_COLUMNS && value !== undefined));
    const [, rows] = await ProductModel.update({ ...set, ...NEXT_VERSION }, { where: { id }, returning: true, transaction: tx });
    return toRow(rows[0] as ProductModel);
  },

  async archive(tx: Transaction, id: string): Promise<void> {
    await ProductModel.update({ active: false, ...NEXT_VERSION }, { where: { id }, transaction: tx });
  },

  async delete(tx: Transaction, id: string): Promise<void> {
    await ProductModel.destroy({ where: { id }, transaction: tx });
  },

  /**
   * Raw SQL on the hot path (make bench: the product list): the statements of product-list.sql.ts,
   * run by runProductList (a search: a bounded walk, else its sorted matches; per relevance tier when ranked).
   */
  async list(db: Sequelize, params: ProductListParams): Promise<ListedProductRow[]> {
    return runProductList(productListSql(params), params.limit, (s) => sql<ListedProductRow>(db, s.text, s.values));
  },
};
