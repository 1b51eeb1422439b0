import type { Tx } from '../platform/db/db';
import { sql } from '../platform/db/sql';
import { CATALOG_COLUMNS } from './product.repository';

/** The catalog fields an import may set (contract names); `onHand` is stock, set by inventory. */
export type ImportField =
  'name' | 'description' | 'category' | 'barcode' | 'unitPriceCents' | 'vatRate' | 'reorderLevel' | 'active' | 'onHand' | 'supplierSku' | 'reorderQuantity';

/**
 * One row of an import, checked cell by cell. For `name`, the numbers and `active`, null leaves the
 * field as it is (a new product gets the default); for `description`, `category`, `barcode`,
 * `supplierSku` and `reorderQuantity`, null clears it. Fields whose column the file does not have are never touched.
 */
export interface ImportRowRecord {
  rowNo: number;
  sku: string;
  name: string | null;
  description: string | null;
  category: string | null;
  barcode: string | null;
  unitPriceCents: number | null;
  vatRate: number | null;
  reorderLevel: number | null;
  active: boolean | null;
  onHand: number | null;
  supplierSku: string | null;
  reorderQuantity: number | null;
}

/** A problem the database finds with a row (the caller words it). */
export type ImportRowFinding =
  | { rowNo: number; field: 'name' | 'unitPriceCents'; kind: 'new-needs' }
  | { rowNo: number; field: 'barcode'; kind: 'barcode-taken'; value: string }
  | { rowNo: number; field: 'onHand'; kind: 'below-reserved'; value: string; reserved: number };

/** Products and the stock level of each, in id order. */
export interface StockLevels {
  productIds: string[];
  onHand: number[];
}

export interface ImportCounts {
  created: number;
  updated: number;
  unchanged: number;
}

/** The staging table of one import: temporary, this transaction's only (ON COMMIT DROP). */
const STAGE = 'product_import_rows';

/** Column of each catalog field: the products repository's own map. */
const COLUMN: Record<Exclude<ImportField, 'onHand'>, string> = CATALOG_COLUMNS;
/** Fields where null (an empty cell) means "leave it", not "clear it". */
const KEEP_WHEN_NULL = new Set<ImportField>(['name', 'unitPriceCents', 'vatRate', 'reorderLevel', 'active']);

/**
 * Fields where '' and null are the same (the API accepts `description: ""`, and a CSV cell cannot tell
 * an empty text from none): a product with `""` exports an empty cell, which must import unchanged.
 */
const BLANK_IS_NULL = new Set<ImportField>(['description']);

/** SQL that is true when row `s` changes a catalog field of product `p` (only the file's columns). */
function catalogDiff(fields: ReadonlySet<ImportField>): string {
  const parts = [...fields]
    .filter((f): f is Exclude<ImportField, 'onHand'> => f !== 'onHand')
    .map((f) => {
      const c = COLUMN[f];
      if (KEEP_WHEN_NULL.has(f)) return `(s.${c} IS NOT NULL AND s.${c} IS DISTINCT FROM p.${c})`;
      if (BLANK_IS_NULL.has(f)) return `COALESCE(s.${c}, '') IS DISTINCT FROM COALESCE(p.${c}, '')`;
      return `s.${c} IS DISTINCT FROM p.${c}`;
    });
  return parts.length > 0 ? parts.join(' OR ') : 'false';
}

/**
 * The set-based statements of a CSV import (issue 30): the file's rows go into a temporary table in
 * chunks, and each step is one statement over all of them, so 100,000 rows cost a few dozen
 * statements, not 100,000. The caller holds the transaction (all or nothing).
 */
export const productImportRepository = {
  /**
   * Serialises imports: a second import waits here until the first commits or rolls back — up to
   * the 120 s statement timeout set first (a 100,000-row import takes about a minute; the pool's
   * 15 s would fail the waiter too soon), then a 503 `timeout` with Retry-After, which stores no answer
   * under the Idempotency-Key, so the retry runs.
   */
  async lockImports(tx: Tx): Promise<void> {
    await sql(tx, "SET LOCAL statement_timeout = '120s'");
    await sql(tx, "SELECT pg_advisory_xact_lock(hashtext('quickstock-product-import'))");
  },

  async createStage(tx: Tx): Promise<void> {
    // The statements over 100,000 rows outlast the pool's 15 s statement timeout on a busy machine.
    await sql(tx, "SET LOCAL statement_timeout = '120s'");
    await sql(
      tx,
      `CREATE TEMP TABLE ${STAGE} (
         row_no int PRIMARY KEY, sku text NOT NULL, name text, description text, category text, barcode text,
         unit_price_cents int, vat_rate int, reorder_level int, active boolean, on_hand int, supplier_sku text, reorder_quantity int,
         product_id uuid, before_on_hand int, before_reserved int, before_reorder int, created boolean NOT NULL DEFAULT false
       ) ON COMMIT DROP`,
    );
  },

  async stage(tx: Tx, rows: readonly ImportRowRecord[]): Promise<void> {
    if (rows.length === 0) return;
    await sql(
      tx,
      `INSERT INTO ${STAGE} (row_no, sku, name, description, category, barcode, unit_price_cents, vat_rate, reorder_level, active, on_hand, supplier_sku, reorder_quantity)
       SELECT * FROM unnest($1::int[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::int[], $8::int[], $9::int[], $10::boolean[], $11::int[], $12::text[], $13::int[])`,
      [
        rows.map((r) => r.rowNo),
        rows.map((r) => r.sku),
        rows.map((r) => r.name),
        rows.map((r) => r.description),
        rows.map((r) => r.category),
        rows.map((r) => r.barcode),
        rows.map((r) => r.unitPriceCents),
        rows.map((r) => r.vatRate),
        rows.map((r) => r.reorderLevel),
        rows.map((r) => r.active),
        rows.map((r) => r.onHand),
        rows.map((r) => r.supplierSku),
        rows.map((r) => r.reorderQuantity),
      ],
    );
  },

  /**
   * Finds each row's product by SKU (case-insensitive) and keeps its stock figures before the import.
   * The match takes no lock: re-importing an unchanged catalog must not hold every product (and so
   * every checkout) for the minute it takes. With `lock`, only the products the file changes are
   * locked, in id order (as order placement locks them: no deadlock), and their stock figures are
   * read again under the lock, so the below-reserved check and the movements see what is there.
   */
  async resolve(tx: Tx, fields: ReadonlySet<ImportField>, lock: boolean): Promise<void> {
    await sql(tx, `CREATE INDEX ON ${STAGE} (lower(sku))`);
    await sql(tx, `ANALYZE ${STAGE}`);
    await sql(
      tx,
      `UPDATE ${STAGE} s SET product_id = p.id, before_on_hand = p.on_hand, before_reserved = p.reserved, before_reorder = p.reorder_level
         FROM products p WHERE lower(p.sku) = lower(s.sku)`,
    );
    if (!lock) return;
    const stock = fields.has('onHand') ? ' OR (s.on_hand IS NOT NULL AND s.on_hand <> p.on_hand)' : '';
    await sql(
      tx,
      `WITH locked AS (
         SELECT id, on_hand, reserved, reorder_level FROM products
          WHERE id IN (SELECT s.product_id FROM ${STAGE} s JOIN products p ON p.id = s.product_id WHERE ${catalogDiff(fields)}${stock})
          ORDER BY id FOR UPDATE)
       UPDATE ${STAGE} s SET before_on_hand = l.on_hand, before_reserved = l.reserved, before_reorder = l.reorder_level
         FROM locked l WHERE s.product_id = l.id`,
    );
  },

  /** What only the database can tell: new products without a name or price, barcodes taken, stock below reserved. */
  async findings(tx: Tx, fields: ReadonlySet<ImportField>, limit: number): Promise<ImportRowFinding[]> {
    const parts = [
      `SELECT row_no, 'name' AS field, 'new-needs' AS kind, NULL::text AS value, NULL::int AS reserved FROM ${STAGE} WHERE product_id IS NULL AND name IS NULL`,
      `SELECT row_no, 'unitPriceCents', 'new-needs', NULL, NULL FROM ${STAGE} WHERE product_id IS NULL AND unit_price_cents IS NULL`,
    ];
    if (fields.has('barcode')) {
      parts.push(
        `SELECT s.row_no, 'barcode', 'barcode-taken', s.barcode, NULL FROM ${STAGE} s JOIN products p
            ON lpad(p.barcode, 14, '0') = lpad(s.barcode, 14, '0') AND p.barcode IS NOT NULL
         WHERE s.barcode IS NOT NULL AND p.id IS DISTINCT FROM s.product_id`,
      );
    }
    if (fields.has('onHand')) {
      parts.push(`SELECT row_no, 'onHand', 'below-reserved', on_hand::text, before_reserved FROM ${STAGE} WHERE on_hand < before_reserved`);
    }
    const rows = await sql<{ row_no: number; field: string; kind: string; value: string | null; reserved: number | null }>(
      tx,
      `SELECT * FROM (${parts.join(' UNION ALL ')}) f ORDER BY row_no LIMIT ${Number(limit)}`,
    );
    return rows.map((r) => ({ rowNo: r.row_no, field: r.field, kind: r.kind, value: r.value, reserved: r.reserved }) as ImportRowFinding);
  },

  async counts(tx: Tx, fields: ReadonlySet<ImportField>): Promise<ImportCounts> {
    const stock = fields.has('onHand') ? ' OR (s.on_hand IS NOT NULL AND s.on_hand <> p.on_hand)' : '';
    const [row] = await sql<ImportCounts>(
      tx,
      `SELECT count(*) FILTER (WHERE s.product_id IS NULL)::int AS created,
              count(*) FILTER (WHERE s.product_id IS NOT NULL AND (${catalogDiff(fields)}${stock}))::int AS updated,
              count(*) FILTER (WHERE s.product_id IS NOT NULL AND NOT (${catalogDiff(fields)}${stock}))::int AS unchanged
         FROM ${STAGE} s LEFT JOIN products p ON p.id = s.product_id`,
    );
    return row as ImportCounts;
  },

  /**
   * Writes the catalog: one UPDATE for the changed products (their version, hence ETag, moves on)
   * and one INSERT for the new ones. A new product is inserted with its first `onHand` (as a new row
   * is written once: a second UPDATE of 100,000 fresh rows doubled the import's time), and inventory
   * records that level's movement (`initialLevels`), as `recordInitialStock` does for `createProduct`.
   */
  async apply(tx: Tx, fields: ReadonlySet<ImportField>): Promise<void> {
    const catalog = [...fields].filter((f): f is Exclude<ImportField, 'onHand'> => f !== 'onHand');
    if (catalog.length > 0) {
      const set = catalog.map((f) => {
        const c = COLUMN[f];
        if (KEEP_WHEN_NULL.has(f)) return `${c} = COALESCE(s.${c}, p.${c})`;
        // A row changing another field leaves a '' description as it is (not turned into null).
        if (BLANK_IS_NULL.has(f)) return `${c} = CASE WHEN COALESCE(s.${c}, '') = COALESCE(p.${c}, '') THEN p.${c} ELSE s.${c} END`;
        return `${c} = s.${c}`;
      });
      await sql(
        tx,
        `UPDATE products p SET ${set.join(', ')}, version = p.version + 1, updated_at = now()
           FROM ${STAGE} s WHERE p.id = s.product_id AND (${catalogDiff(fields)})`,
      );
    }
    const value = (f: Exclude<ImportField, 'onHand'>, fallback: string): string => (fields.has(f) ? `COALESCE(s.${COLUMN[f]}, ${fallback})` : fallback);
    await sql(
      tx,
      `WITH created AS (
         INSERT INTO products (sku, name, description, category, barcode, unit_price_cents, vat_rate, reorder_level, active, on_hand, supplier_sku, reorder_quantity)
         SELECT s.sku, s.name, ${value('description', 'NULL')}, ${value('category', 'NULL')}, ${value('barcode', 'NULL')},
                s.unit_price_cents, ${value('vatRate', '22')}, ${value('reorderLevel', '0')}, ${value('active', 'true')}, ${fields.has('onHand') ? 'COALESCE(s.on_hand, 0)' : '0'},
                ${value('supplierSku', 'NULL')}, ${value('reorderQuantity', 'NULL')}
           FROM ${STAGE} s WHERE s.product_id IS NULL ORDER BY s.row_no
         RETURNING id, sku, on_hand)
       UPDATE ${STAGE} s SET product_id = c.id, before_on_hand = c.on_hand, before_reserved = 0, created = true
         FROM created c WHERE lower(c.sku) = lower(s.sku)`,
    );
  },

  /**
   * The stock each existing product's row sets, where it differs (inventory changes it by movements),
   * and the first stock of each new product (inserted with it; inventory records its movement).
   */
  async stockTargets(tx: Tx): Promise<{ changed: StockLevels; initial: StockLevels }> {
    const rows = await sql<{ created: boolean; ids: string[]; levels: number[] }>(
      tx,
      `SELECT created, array_agg(product_id ORDER BY product_id) AS ids, array_agg(on_hand ORDER BY product_id) AS levels
         FROM ${STAGE} WHERE on_hand IS NOT NULL AND (created AND on_hand > 0 OR NOT created AND on_hand IS DISTINCT FROM before_on_hand)
        GROUP BY created`,
    );
    const of = (created: boolean): StockLevels => {
      const row = rows.find((r) => r.created === created);
      return { productIds: row?.ids ?? [], onHand: row?.levels ?? [] };
    };
    return { changed: of(false), initial: of(true) };
  },

  /** Existing products the import took from above their reorder level to at or below it. */
  async lowStockCrossings(tx: Tx): Promise<{ id: string; sku: string; name: string; available: number; reorderLevel: number }[]> {
    return sql(
      tx,
      `SELECT p.id, p.sku, p.name, (p.on_hand - p.reserved)::int AS available, p.reorder_level AS "reorderLevel"
         FROM ${STAGE} s JOIN products p ON p.id = s.product_id
        WHERE s.before_reorder IS NOT NULL AND s.before_on_hand - s.before_reserved > s.before_reorder
          AND p.on_hand - p.reserved <= p.reorder_level
        ORDER BY s.row_no`,
    );
  },
};
