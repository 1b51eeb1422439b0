import type { Sequelize } from 'sequelize-typescript';
import type { Transaction } from 'sequelize';
import { sql, sqlOne, type SqlTarget } from '../platform/db/sql';
import type { ProductRow } from './product.mapper';
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

/** The catalog columns of products (stock columns are inventory's): the only SQL that names the table for the catalog. */
export const productRepository = {
  async insert(target: SqlTarget, p: NewProduct): Promise<ProductRow> {
    const row = await sqlOne<ProductRow>(
      target,
      `INSERT INTO products (sku, name, description, category, unit_price_cents, vat_rate, reorder_level)
       VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING *`,
      [p.sku, p.name, p.description, p.category, p.unitPriceCents, p.vatRate, p.reorderLevel],
    );
    return row as ProductRow;
  },

  find(target: SqlTarget, id: string): Promise<ProductRow | undefined> {
    return sqlOne<ProductRow>(target, 'SELECT * FROM products WHERE id = $1', [id]);
  },

  lock(tx: Transaction, id: string): Promise<ProductRow | undefined> {
    return sqlOne<ProductRow>(tx, 'SELECT * FROM products WHERE id = $1 FOR UPDATE', [id]);
  },

  async count(target: SqlTarget): Promise<number> {
    const row = await sqlOne<{ count: string }>(target, 'SELECT count(*) FROM products');
    return Number(row?.count ?? 0);
  },

  async update(tx: Transaction, id: string, change: CatalogChange): Promise<ProductRow> {
    const values: unknown[] = [id];
    const sets = Object.entries(CATALOG_COLUMNS)
      .filter(([field]) => change[field as keyof CatalogChange] !== undefined)
      .map(([field, column]) => `${column} = $${values.push(change[field as keyof CatalogChange])}`);
    const row = await sqlOne<ProductRow>(tx, `UPDATE products SET ${sets.join(', ')}, version = version + 1, updated_at = now() WHERE id = $1 RETURNING *`, values);
    return row as ProductRow;
  },

  async archive(tx: Transaction, id: string): Promise<void> {
    await sql(tx, 'UPDATE products SET active = false, version = version + 1, updated_at = now() WHERE id = $1', [id]);
  },

  async delete(tx: Transaction, id: string): Promise<void> {
    await sql(tx, 'DELETE FROM products WHERE id = $1', [id]);
  },

  /**
   * Raw SQL on the hot path (make bench: the product list): the statements of product-list.sql.ts,
   * run by runProductList (a search: a bounded walk, else its sorted matches; per relevance tier when ranked).
   */
  async list(db: Sequelize, params: ProductListParams): Promise<ListedProductRow[]> {
    return runProductList(productListSql(params), params.limit, (s) => sql<ListedProductRow>(db, s.text, s.values));
  },
};
