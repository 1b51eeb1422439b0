import type { Sequelize } from 'sequelize-typescript';
import type { Transaction } from 'sequelize';
import { AppError, ConflictError, NotFoundError, isUniqueViolation } from '../platform/errors';
import { cursorScope, invalidCursor, decodeCursor, toPage, type Page } from '../platform/http/pagination';
import { isStaff, type Actor, type RequestBody } from '../platform/http/contract';
import { recordLowStockIfCrossed, type InventoryService } from '../inventory';
import { etagOf, toProductView, type ProductRow, type ProductView } from './product.mapper';
import { productRepository as products } from './product.repository';

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

/** Whether any order names the product (answered by orders). */
export type OrderedCheck = (tx: Transaction, productId: string) => Promise<boolean>;

/** The catalog: product details, search, archive. Stock figures change only through the inventory. */
export class ProductsService {
  constructor(
    private readonly sequelize: Sequelize,
    private readonly inventory: InventoryService,
    private readonly isOrdered: OrderedCheck,
  ) {}

  async create(input: RequestBody<'createProduct'>, actor: Actor): Promise<ProductWithEtag> {
    try {
      const row = await this.sequelize.transaction(async (tx) => {
        const product = await products.insert(tx, {
          sku: input.sku,
          name: input.name.trim(),
          description: input.description ?? null,
          category: input.category ?? null,
          unitPriceCents: input.unitPriceCents,
          vatRate: input.vatRate ?? 22,
          reorderLevel: input.reorderLevel ?? 0,
        });
        if (input.initialStock && input.initialStock > 0) {
          await this.inventory.recordInitialStock(tx, product.id, input.initialStock, actor.id);
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
    const row = await products.find(this.sequelize, id);
    if (!row) throw new NotFoundError('The product');
    return { product: toProductView(row), etag: etagOf(row) };
  }

  async list(query: ProductQuery, actor: Actor): Promise<Page<ProductView>> {
    const sort = query.sort ?? 'name';
    const descending = sort.startsWith('-');
    const key = SORT_KEYS[sort.replace(/^-/, '')] ?? SORT_KEYS['name'];
    if (!key) throw new AppError('invalid-sort', 400, 'Unknown sort key.');
    const active = isStaff(actor) ? query.active : true;
    const scope = cursorScope(query, { sort, active });
    let rows: ProductRow[];
    try {
      rows = await products.list(this.sequelize, {
        limit: query.limit,
        active,
        q: query.q,
        category: query.category,
        lowStock: query.lowStock,
        sort: { expr: key.expr, cast: key.cast, descending },
        after: decodeCursor(query.cursor, 2, scope),
      });
    } catch (err) {
      // A forged cursor that does not cast (22P02, 22007, 22008) is the client's mistake.
      const code = (err as { code?: string }).code;
      if (code?.startsWith('22')) throw invalidCursor();
      throw err;
    }
    return toPage(rows, query.limit, toProductView, (r) => [key.value(r), r.id], scope);
  }

  /** Optimistic concurrency: the change applies only to the version named by If-Match. */
  async update(id: string, ifMatch: string | undefined, patch: RequestBody<'updateProduct'>): Promise<ProductWithEtag> {
    if (!ifMatch) throw new AppError('precondition-required', 428, 'Send If-Match with the ETag of the version you are changing.');
    return this.sequelize.transaction(async (tx) => {
      const current = await products.lock(tx, id);
      if (!current) throw new NotFoundError('The product');
      const tags = ifMatch.split(',').map((t) => t.trim());
      if (!tags.includes('*') && !tags.includes(etagOf(current))) {
        throw new AppError('precondition-failed', 412, 'The product was changed since you read it; read it again and retry.', {
          extra: { currentEtag: etagOf(current) },
        });
      }
      const row = await products.update(tx, id, { ...patch, ...(patch.name !== undefined ? { name: patch.name.trim() } : {}) });
      // A higher reorder level may put the product below it.
      await recordLowStockIfCrossed(tx, current, row);
      return { product: toProductView(row), etag: etagOf(row) };
    });
  }

  /** A product that appears on any order is archived (kept for history); one never ordered is removed. */
  async remove(id: string): Promise<'deleted' | 'archived'> {
    return this.sequelize.transaction(async (tx) => {
      if (!(await products.lock(tx, id))) throw new NotFoundError('The product');
      if (await this.isOrdered(tx, id)) {
        await products.archive(tx, id);
        return 'archived';
      }
      await products.delete(tx, id);
      return 'deleted';
    });
  }
}
