import type { Sequelize } from 'sequelize-typescript';
import { QueryTypes } from 'sequelize';
import { AppError, ConflictError, NotFoundError, isUniqueViolation } from '../platform/errors';
import { recordEvent } from '../platform/events';
import { poolQuery } from '../platform/db/database';
import { decodeCursor, toPage, type Page } from '../platform/http/pagination';
import { isStaff, type Actor, type RequestBody } from '../platform/http/contract';
import type { InventoryService } from '../inventory';
import { etagOf, toProductView, type ProductRow, type ProductView } from './product.mapper';

export type ProductSort = 'name' | '-name' | 'sku' | '-sku' | 'createdAt' | '-createdAt' | 'available' | '-available';

export interface ProductQuery {
  limit: number;
  cursor?: string;
  q?: string;
  category?: string;
  lowStock?: boolean;
  active?: boolean;
  sort?: ProductSort;
}

const SORT_KEYS: Record<string, { expr: string; value: (r: ProductRow) => unknown; cast: string }> = {
  name: { expr: 'lower(name)', value: (r) => r.name.toLowerCase(), cast: 'text' },
  sku: { expr: 'lower(sku)', value: (r) => r.sku.toLowerCase(), cast: 'text' },
  createdAt: { expr: 'created_at', value: (r) => new Date(r.created_at).toISOString(), cast: 'timestamptz' },
  available: { expr: '(on_hand - reserved)', value: (r) => r.on_hand - r.reserved, cast: 'int' },
};

export interface ProductWithEtag {
  product: ProductView;
  etag: string;
}

/** The catalog: product details, search, archive. Stock figures change only through the inventory. */
export class ProductsService {
  constructor(
    private readonly sequelize: Sequelize,
    private readonly inventory: InventoryService,
  ) {}

  async create(input: RequestBody<'createProduct'>, actor: Actor): Promise<ProductWithEtag> {
    try {
      const row = await this.sequelize.transaction(async (tx) => {
        const [created] = await this.sequelize.query<ProductRow>(
          `INSERT INTO products (sku, name, description, category, unit_price_cents, vat_rate, reorder_level)
           VALUES (:sku, :name, :description, :category, :unitPriceCents, :vatRate, :reorderLevel) RETURNING *`,
          {
            replacements: {
              sku: input.sku,
              name: input.name.trim(),
              description: input.description ?? null,
              category: input.category ?? null,
              unitPriceCents: input.unitPriceCents,
              vatRate: input.vatRate ?? 22,
              reorderLevel: input.reorderLevel ?? 0,
            },
            type: QueryTypes.SELECT,
            transaction: tx,
          },
        );
        const product = created as ProductRow;
        if (input.initialStock && input.initialStock > 0) {
          await this.inventory.recordInitialStock(tx, product, input.initialStock, actor);
          product.on_hand = input.initialStock;
        }
        return product;
      });
      return { product: toProductView(row), etag: etagOf(row) };
    } catch (err) {
      if (isUniqueViolation(err, 'products_sku_lower_key')) {
        throw new ConflictError('sku-taken', `A product with SKU ${input.sku} already exists.`);
      }
      throw err;
    }
  }

  async get(id: string): Promise<ProductWithEtag> {
    const row = await this.find(id);
    if (!row) throw new NotFoundError('The product');
    return { product: toProductView(row), etag: etagOf(row) };
  }

  async list(query: ProductQuery, actor: Actor): Promise<Page<ProductView>> {
    const sort = query.sort ?? 'name';
    const descending = sort.startsWith('-');
    const key = SORT_KEYS[sort.replace(/^-/, '')] ?? SORT_KEYS['name'];
    if (!key) throw new AppError('invalid-sort', 400, 'Unknown sort key.');
    const where: string[] = [];
    const values: unknown[] = [];
    const param = (value: unknown) => `$${values.push(value)}`;
    const active = isStaff(actor) ? query.active : true;
    if (active !== undefined) where.push(`active = ${param(active)}`);
    if (query.q) {
      const like = param(`%${query.q.replace(/[\\%_]/g, (c) => `\\${c}`)}%`);
      where.push(`(sku ILIKE ${like} ESCAPE '\\' OR name ILIKE ${like} ESCAPE '\\')`);
    }
    if (query.category) where.push(`lower(category) = lower(${param(query.category)})`);
    if (query.lowStock !== undefined) where.push(query.lowStock ? 'on_hand - reserved <= reorder_level' : 'on_hand - reserved > reorder_level');
    const after = decodeCursor(query.cursor, 2);
    if (after) {
      where.push(`(${key.expr}, id) ${descending ? '<' : '>'} (CAST(${param(after[0])} AS ${key.cast}), CAST(${param(after[1])} AS uuid))`);
    }
    const direction = descending ? 'DESC' : 'ASC';
    let rows: ProductRow[];
    try {
      // The busiest read: straight to pg (see poolQuery).
      rows = await poolQuery<ProductRow>(
        this.sequelize,
        `SELECT * FROM products ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
          ORDER BY ${key.expr} ${direction}, id ${direction} LIMIT ${param(query.limit + 1)}`,
        values,
      );
    } catch (err) {
      // A forged cursor that does not cast (22P02, 22007, 22008) is the client's mistake.
      const code = (err as { code?: string; parent?: { code?: string } }).parent?.code ?? (err as { code?: string }).code;
      if (code?.startsWith('22')) throw new AppError('invalid-cursor', 400, 'The cursor is not valid; start again from the first page.');
      throw err;
    }
    return toPage(rows, query.limit, toProductView, (r) => [key.value(r), r.id]);
  }

  /** Optimistic concurrency: the change applies only to the version named by If-Match. */
  async update(id: string, ifMatch: string | undefined, patch: RequestBody<'updateProduct'>): Promise<ProductWithEtag> {
    if (!ifMatch) throw new AppError('precondition-required', 428, 'Send If-Match with the ETag of the version you are changing.');
    return this.sequelize.transaction(async (tx) => {
      const [current] = await this.sequelize.query<ProductRow>('SELECT * FROM products WHERE id = :id FOR UPDATE', {
        replacements: { id },
        type: QueryTypes.SELECT,
        transaction: tx,
      });
      if (!current) throw new NotFoundError('The product');
      const tags = ifMatch.split(',').map((t) => t.trim());
      if (!tags.includes('*') && !tags.includes(etagOf(current))) {
        throw new AppError('precondition-failed', 412, 'The product was changed since you read it; read it again and retry.', {
          extra: { currentEtag: etagOf(current) },
        });
      }
      const columns: Record<string, string> = {
        name: 'name',
        description: 'description',
        category: 'category',
        unitPriceCents: 'unit_price_cents',
        vatRate: 'vat_rate',
        reorderLevel: 'reorder_level',
        active: 'active',
      };
      const sets: string[] = [];
      const replacements: Record<string, unknown> = { id };
      for (const [field, column] of Object.entries(columns)) {
        const value = (patch as Record<string, unknown>)[field];
        if (value !== undefined) {
          sets.push(`${column} = :${field}`);
          replacements[field] = typeof value === 'string' && field === 'name' ? value.trim() : value;
        }
      }
      const [updated] = await this.sequelize.query<ProductRow>(
        `UPDATE products SET ${sets.join(', ')}, version = version + 1, updated_at = now() WHERE id = :id RETURNING *`,
        { replacements, type: QueryTypes.SELECT, transaction: tx },
      );
      const row = updated as ProductRow;
      const available = row.on_hand - row.reserved;
      if (available > current.reorder_level && available <= row.reorder_level) {
        await recordEvent(tx, {
          type: 'inventory.low_stock',
          data: { productId: row.id, sku: row.sku, name: row.name, available, reorderLevel: row.reorder_level },
        });
      }
      return { product: toProductView(row), etag: etagOf(row) };
    });
  }

  /** A product that appears on any order is archived (kept for history); one never ordered is removed. */
  async remove(id: string): Promise<'deleted' | 'archived'> {
    return this.sequelize.transaction(async (tx) => {
      const [row] = await this.sequelize.query<ProductRow>('SELECT id FROM products WHERE id = :id FOR UPDATE', {
        replacements: { id },
        type: QueryTypes.SELECT,
        transaction: tx,
      });
      if (!row) throw new NotFoundError('The product');
      const ordered = await this.sequelize.query('SELECT 1 FROM order_items WHERE product_id = :id LIMIT 1', {
        replacements: { id },
        type: QueryTypes.SELECT,
        transaction: tx,
      });
      if (ordered.length > 0) {
        await this.sequelize.query('UPDATE products SET active = false, version = version + 1, updated_at = now() WHERE id = :id', {
          replacements: { id },
          transaction: tx,
        });
        return 'archived';
      }
      await this.sequelize.query('DELETE FROM products WHERE id = :id', { replacements: { id }, transaction: tx });
      return 'deleted';
    });
  }

  private async find(id: string): Promise<ProductRow | undefined> {
    const [row] = await this.sequelize.query<ProductRow>('SELECT * FROM products WHERE id = :id', {
      replacements: { id },
      type: QueryTypes.SELECT,
    });
    return row;
  }
}
