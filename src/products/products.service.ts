import type { Db, DbTarget, Tx } from '../platform/db/db';
import { AppError, ConflictError, NotFoundError, ValidationError, isForeignKeyViolation, isUniqueViolation } from '../platform/errors';
import { lazyCursorScope, invalidCursor, keysetAfter, toPage, type KeyKind, type Page } from '../platform/http/pagination';
import { isStaff, type Actor, type RequestBody } from '../platform/http/contract';
import { recordLowStockIfCrossed, type InventoryService } from '../inventory';
import { barcodeProblem } from './barcode';
import { etagOf, toProductView, type ProductView } from './product.mapper';
import { productRepository as products, type ProductRecord } from './product.repository';
import { PRODUCT_SORT_KEYS, RELEVANCE_TIERS, type ProductSortKey, type RelevanceTier } from './product-list.sql';

export type ProductSort = 'name' | '-name' | 'sku' | '-sku' | 'createdAt' | '-createdAt' | 'available' | '-available';

export interface ProductQuery {
  limit: number;
  cursor?: string;
  q?: string;
  category?: string;
  lowStock?: boolean;
  incoming?: boolean;
  barcode?: string;
  active?: boolean;
  sort?: ProductSort;
}

/** The cursor value of each sort key, as its SQL expression computes it. */
const SORT_VALUE: Record<ProductSortKey, (r: ProductRecord) => unknown> = {
  name: (r) => r.name.toLowerCase(),
  sku: (r) => r.sku.toLowerCase(),
  createdAt: (r) => new Date(r.createdAt).toISOString(),
  available: (r) => r.onHand - r.reserved,
};

/** The kind each sort key's cursor value is checked as: the type PRODUCT_SORT_KEYS casts it to. */
const SORT_KIND: Record<ProductSortKey, KeyKind> = { name: 'text', sku: 'text', createdAt: 'timestamp', available: 'int4' };

export interface ProductWithEtag {
  product: ProductView;
  etag: string;
}

/** Whether any order names the product (answered by orders). */
export type OrderedCheck = (tx: Tx, productId: string) => Promise<boolean>;

/** The catalog: product details, search, archive. Stock figures change only through the inventory. */
export class ProductsService {
  constructor(
    private readonly db: Db,
    private readonly inventory: InventoryService,
    private readonly isOrdered: OrderedCheck,
  ) {}

  async create(input: RequestBody<'createProduct'>, actor: Actor): Promise<ProductWithEtag> {
    checkBarcode(input.barcode);
    try {
      const row = await this.db.transaction(async (tx) => {
        const product = await products.insert(tx, {
          sku: input.sku,
          name: input.name.trim(),
          description: input.description ?? null,
          category: input.category ?? null,
          barcode: input.barcode ?? null,
          unitPriceCents: input.unitPriceCents,
          vatRate: input.vatRate ?? 22,
          reorderLevel: input.reorderLevel ?? 0,
          reorderQuantity: input.reorderQuantity ?? null,
          supplierId: input.supplierId?.toLowerCase() ?? null,
          supplierSku: input.supplierSku ?? null,
        });
        if (input.initialStock && input.initialStock > 0) {
          await this.inventory.recordInitialStock(tx, product.id, input.initialStock, actor.id);
          product.onHand = input.initialStock;
        }
        return product;
      });
      return { product: toProductView(row), etag: etagOf(row) };
    } catch (err) {
      if (isUniqueViolation(err, 'products_sku_lower_key')) {
        throw new ConflictError('sku-taken', `A product with SKU ${input.sku} already exists.`);
      }
      throw unknownSupplier(barcodeTaken(err, input.barcode), input.supplierId);
    }
  }

  async get(id: string, actor: Actor): Promise<ProductWithEtag> {
    const row = await products.find(this.db, id);
    if (!row) throw new NotFoundError('The product');
    return { product: toProductView(row, isStaff(actor)), etag: etagOf(row) };
  }

  /**
   * With `q` and no `sort`, ranked by relevance (exact SKU, then the name's Italian words, then name
   * fragments, then SKU fragments); otherwise by the sort key (default name). Keyset-paged either way.
   */
  async list(query: ProductQuery, actor: Actor): Promise<Page<ProductView>> {
    const sort = query.sort ?? (query.q ? 'relevance' : 'name');
    const staff = isStaff(actor);
    // Staff-only filters: a customer's list is as without them (always active, `incoming` ignored).
    const active = staff ? query.active : true;
    const incoming = staff ? query.incoming : undefined;
    const view = (r: ProductRecord): ProductView => toProductView(r, staff);
    const scope = lazyCursorScope(query, { sort, active, incoming });
    const filter = {
      limit: query.limit,
      active,
      q: query.q,
      category: query.category,
      lowStock: query.lowStock,
      incoming,
      barcode: query.barcode,
    };
    if (sort === 'relevance') {
      const after = keysetAfter(query.cursor, ['int4', 'text', 'uuid'], scope);
      if (after && !RELEVANCE_TIERS.some((t) => String(t) === after[0])) throw invalidCursor();
      const order = { by: 'relevance' as const, after: after && ([Number(after[0]) as RelevanceTier, after[1], after[2]] as const) };
      const rows = await products.list(this.db, { ...filter, order });
      return toPage(rows, query.limit, view, (r) => [r.tier ?? 0, r.name.toLowerCase(), r.id], scope);
    }
    const key = sort.replace(/^-/, '') as ProductSortKey;
    if (!(key in PRODUCT_SORT_KEYS)) throw new AppError('invalid-sort', 400, 'Unknown sort key.');
    const after = keysetAfter(query.cursor, [SORT_KIND[key], 'uuid'], scope);
    const rows = await products.list(this.db, { ...filter, order: { by: 'sort', key, descending: sort.startsWith('-'), after } });
    return toPage(rows, query.limit, view, (r) => [SORT_VALUE[key](r), r.id], scope);
  }

  /** Optimistic concurrency: the change applies only to the version named by If-Match. */
  async update(id: string, ifMatch: string | undefined, patch: RequestBody<'updateProduct'>): Promise<ProductWithEtag> {
    if (!ifMatch) throw new AppError('precondition-required', 428, 'Send If-Match with the ETag of the version you are changing.');
    checkBarcode(patch.barcode);
    return this.db
      .transaction(async (tx) => {
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
      })
      .catch((err: unknown) => {
        throw unknownSupplier(barcodeTaken(err, patch.barcode), patch.supplierId);
      });
  }

  /** Products by id, for purchasing's lines (missing ids are simply absent). */
  findMany(ids: readonly string[], target?: DbTarget): Promise<ProductRecord[]> {
    return products.findMany(target ?? this.db, ids);
  }

  /** The active products at or below their reorder level, by name (purchasing's proposals). */
  lowStock(target?: DbTarget): Promise<ProductRecord[]> {
    return products.lowStock(target ?? this.db);
  }

  /** A product that appears on any order is archived (kept for history); one never ordered is removed. */
  async remove(id: string): Promise<'deleted' | 'archived'> {
    return this.db.transaction(async (tx) => {
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

/** A barcode that is not an EAN-13, EAN-8 or UPC-A with its check digit: 400 naming `body.barcode` and why. */
function checkBarcode(barcode: string | null | undefined): void {
  if (barcode === undefined || barcode === null) return;
  const problem = barcodeProblem(barcode);
  if (problem) throw new ValidationError(`The barcode ${barcode} is not valid.`, [{ path: 'body.barcode', message: problem }]);
}

/** Another product holds the barcode (in either of its forms): 409 `barcode-taken`; any other error as it is. */
function barcodeTaken(err: unknown, barcode: string | null | undefined): unknown {
  if (barcode && isUniqueViolation(err, 'products_barcode_key')) {
    return new ConflictError('barcode-taken', `Another product already has the barcode ${barcode}.`);
  }
  return err;
}

/** A supplierId that names no supplier (the foreign key refused it): 400 naming `body.supplierId`; any other error as it is. */
function unknownSupplier(err: unknown, supplierId: string | null | undefined): unknown {
  if (supplierId && isForeignKeyViolation(err, 'products_supplier_id_fkey')) {
    return new ValidationError(`No supplier has the id ${supplierId}.`, [{ path: 'body.supplierId', message: 'must be an existing supplier' }]);
  }
  return err;
}
