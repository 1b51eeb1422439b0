import { createHash } from 'node:crypto';
import type { Db, Tx } from '../platform/db/db';
import { AppError } from '../platform/errors';
import { recordEvent, recordEvents } from '../platform/events';
import type { Actor } from '../platform/http/contract';
import type { IdempotencyStore, StoredResult } from '../platform/idempotency';
import { catalogImport, type ImportField, type ImportRowRecord } from '../products';
import type { InventoryService } from '../inventory';
import { CsvRecordTooLong, CsvUnclosedQuote, SEPARATOR, csvRecords, detectDialect, withoutBom, type CsvDialect } from './csv';
import { langOf, messageOf, type Lang, type RowProblem } from './import-messages';
import { FIELD_OF, PRODUCT_COLUMNS, readRow, type ProductColumn } from './import-row';

export interface ImportRowError {
  row: number;
  column: string | null;
  value: string | null;
  message: string;
}

export interface ImportReport {
  rows: number;
  created: number;
  updated: number;
  unchanged: number;
  errors: ImportRowError[];
}

export interface ImportRequest {
  file: Buffer;
  dialect: CsvDialect | undefined;
  dryRun: boolean;
  acceptLanguage: string | undefined;
  idempotencyKey: string | undefined;
}

/** At most this many errors are listed (a file of 100,000 wrong rows must not answer 20 MB of JSON). */
export const MAX_REPORTED_ERRORS = 1000;
/** A record longer than this is not a CSV row (a binary file, or one enormous line). */
export const MAX_RECORD_CHARS = 1024 * 1024;
/** Rows staged per statement. */
const CHUNK = 5000;
/** The contract's limits of an ImportRowError (characters, i.e. code points, as JSON Schema counts them). */
const MAX_COLUMN_CHARS = 200;
const MAX_VALUE_CHARS = 1000;
const MAX_MESSAGE_CHARS = 1000;
/** The contract's largest `row`: the header plus 1,000,000 data rows. */
const MAX_RECORD_NUMBER = 1_000_001;

/** At most `max` characters (code points: a surrogate pair is never split). */
function cut(text: string, max: number): string {
  if (text.length <= max) return text;
  return [...text].slice(0, max).join('');
}

const COLUMN_OF_FIELD: Partial<Record<string, (dialect: CsvDialect, columns: readonly ProductColumn[]) => ProductColumn>> = {
  name: () => 'name',
  unitPriceCents: (dialect, columns) => (columns.includes('priceCents') ? 'priceCents' : dialect === 'excel-it' ? 'price' : 'priceCents'),
  barcode: () => 'barcode',
  onHand: () => 'onHand',
};

/** Refusals of the whole file (not of a cell): the answer is a problem, not a report. */
function fileProblem(code: string, status: number, detail: string): AppError {
  return new AppError(code, status, detail);
}

/** The file as text: not empty, no NUL (binary), valid UTF-8; the BOM removed. */
function decode(file: Buffer): string {
  if (file.length === 0) throw fileProblem('csv-empty', 400, 'The file is empty.');
  const nul = file.indexOf(0);
  if (nul !== -1) throw fileProblem('csv-not-text', 400, `The file is not text (byte ${nul + 1} is NUL): send a CSV file.`);
  try {
    return new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(file);
  } catch {
    throw fileProblem('csv-encoding', 400, 'The file is not UTF-8 text: save it as "CSV UTF-8" (in Excel: Save as → CSV UTF-8).');
  }
}

/**
 * A CSV import of products (issue 30; docs/csv.md). The rows are checked cell by cell in this
 * process and staged in a temporary table in chunks; everything else is a few set-based statements
 * (products' `catalogImport`, inventory's `setStockLevels`) in one transaction, so the file applies
 * all or nothing and 100,000 rows take seconds. Imports are serialised by a transaction-scoped
 * advisory lock: a second one waits for the first, then applies against its result. A dry run takes
 * no lock and writes nothing (its temporary table goes with its transaction).
 */
export class ProductImporter {
  constructor(
    private readonly db: Db,
    private readonly inventory: InventoryService,
    private readonly idempotency: IdempotencyStore,
    private readonly maxRows: number,
  ) {}

  async run(request: ImportRequest, actor: Actor): Promise<StoredResult<ImportReport>> {
    const text = decode(request.file);
    const dialect = request.dialect ?? detectDialect(text);
    const lang = langOf(request.acceptLanguage);
    if (request.dryRun) {
      const { report } = await this.db.transaction((tx) => this.check(tx, withoutBom(text), dialect, lang, false));
      return { status: 200, body: report, replayed: false };
    }
    const fingerprint = { file: createHash('sha256').update(request.file).digest('hex'), dialect: request.dialect ?? null, lang };
    return this.idempotency.run({ userId: actor.id, scope: 'createProductImport', key: request.idempotencyKey, fingerprint }, async (tx) => {
      await catalogImport.lockImports(tx);
      const { report, fields } = await this.check(tx, withoutBom(text), dialect, lang, true);
      if (report.errors.length > 0) {
        throw new AppError(
          'import-invalid',
          422,
          `${report.errors.length}${report.errors.length >= MAX_REPORTED_ERRORS ? '+' : ''} cell(s) of the file are wrong; nothing was imported.`,
          {
            extra: { report },
          },
        );
      }
      const stockChanged = await this.apply(tx, fields, actor);
      const { rows, created, updated, unchanged } = report;
      await recordEvent(tx, {
        type: 'catalog.imported',
        data: { rows, created, updated, unchanged, stockChanged, actorId: actor.id, actorRole: actor.role as 'admin' | 'operator' },
      });
      return { status: 201, body: report };
    });
  }

  /** Stages and checks the file; the report says what applying it would do and what is wrong. */
  private async check(tx: Tx, text: string, dialect: CsvDialect, lang: Lang, lock: boolean): Promise<{ report: ImportReport; fields: Set<ImportField> }> {
    const errors: ImportRowError[] = [];
    const push = (row: number, column: string | null, value: string | null, problem: RowProblem): void => {
      if (errors.length < MAX_REPORTED_ERRORS) {
        errors.push({
          row,
          column: column === null ? null : cut(column, MAX_COLUMN_CHARS),
          value: value === null ? null : cut(value, MAX_VALUE_CHARS),
          message: cut(messageOf(problem, lang), MAX_MESSAGE_CHARS),
        });
      }
    };
    const records = csvRecords(text, SEPARATOR[dialect], MAX_RECORD_CHARS);
    let rows = 0;
    let fields = new Set<ImportField>();
    const failed = (): { report: ImportReport; fields: Set<ImportField> } => ({ report: { rows, created: 0, updated: 0, unchanged: 0, errors }, fields });
    try {
      const header = records.next();
      if (header.done) throw fileProblem('csv-empty', 400, 'The file is empty.');
      const columns = this.readHeader(header.value.cells, dialect, push);
      await catalogImport.createStage(tx);
      fields = new Set<ImportField>(columns.flatMap((c) => (FIELD_OF[c] && FIELD_OF[c] !== 'sku' ? [FIELD_OF[c] as ImportField] : [])));
      const skus = new Map<string, number>();
      const barcodes = new Map<string, number>();
      let chunk: ImportRowRecord[] = [];
      for (const record of records) {
        // A blank line, or a record of blank cells (`;;;;` where Excel's rows were cleared), is no
        // row; the others keep their record numbers, so errors still name the file's lines.
        if (record.cells.every((c) => c.trim() === '')) continue;
        rows += 1;
        if (rows > this.maxRows || record.number > MAX_RECORD_NUMBER) {
          throw fileProblem('import-too-many-rows', 413, `The file has more than ${Math.min(this.maxRows, MAX_RECORD_NUMBER - 1)} rows (IMPORT_MAX_ROWS).`);
        }
        if (columns.length === 0) continue;
        if (record.cells.length !== columns.length) {
          push(record.number, null, null, { kind: 'cell-count', expected: columns.length, found: record.cells.length });
          continue;
        }
        const { row, problems } = readRow(record.number, record.cells, columns, dialect, lang);
        for (const p of problems) push(record.number, p.column, p.value, p.problem);
        // Repeats are checked across the file (a row with another wrong cell still claims its SKU).
        if (row.sku) {
          const firstSku = skus.get(row.sku.toLowerCase());
          if (firstSku !== undefined) push(record.number, 'sku', row.sku, { kind: 'duplicate-sku', firstRow: firstSku });
          else skus.set(row.sku.toLowerCase(), record.number);
        }
        if (row.barcode) {
          const gtin = row.barcode.padStart(14, '0');
          const firstBarcode = barcodes.get(gtin);
          if (firstBarcode !== undefined) push(record.number, 'barcode', row.barcode, { kind: 'duplicate-barcode', firstRow: firstBarcode });
          else barcodes.set(gtin, record.number);
        }
        // Once the file is known to be wrong, rows are only checked, not staged.
        if (errors.length > 0) continue;
        chunk.push(row);
        if (chunk.length >= CHUNK) {
          await catalogImport.stage(tx, chunk);
          chunk = [];
        }
      }
      if (rows === 0) throw fileProblem('csv-no-rows', 422, 'The file has a header and no rows.');
      if (errors.length > 0) return failed();
      await catalogImport.stage(tx, chunk);
      await catalogImport.resolve(tx, fields, lock);
      for (const f of await catalogImport.findings(tx, fields, MAX_REPORTED_ERRORS)) {
        const column = (COLUMN_OF_FIELD[f.field] as (d: CsvDialect, c: readonly ProductColumn[]) => ProductColumn)(dialect, columns);
        const problem: RowProblem =
          f.kind === 'new-needs'
            ? { kind: 'new-needs', column }
            : f.kind === 'barcode-taken'
              ? { kind: 'barcode-taken' }
              : { kind: 'below-reserved', reserved: f.reserved };
        push(f.rowNo, column, f.kind === 'new-needs' ? null : f.value, problem);
      }
      const counts = await catalogImport.counts(tx, fields);
      return { report: { rows, ...counts, errors }, fields };
    } catch (err) {
      if (err instanceof CsvRecordTooLong) {
        throw fileProblem('csv-line-too-long', 413, `Record ${err.recordNumber} is longer than ${MAX_RECORD_CHARS} characters: is this a CSV file?`);
      }
      if (err instanceof CsvUnclosedQuote) {
        push(err.recordNumber, null, null, { kind: 'unclosed-quote' });
        return failed();
      }
      throw err;
    }
  }

  /** The header's columns; unknown, repeated or missing ones are errors of row 1. */
  private readHeader(
    cells: readonly string[],
    dialect: CsvDialect,
    push: (row: number, column: string | null, value: string | null, p: RowProblem) => void,
  ): ProductColumn[] {
    const known = PRODUCT_COLUMNS.filter((c) => c !== (dialect === 'excel-it' ? 'priceCents' : 'price'));
    const byName = new Map<string, ProductColumn>(PRODUCT_COLUMNS.map((c) => [c.toLowerCase(), c]));
    const columns: ProductColumn[] = [];
    let ok = true;
    for (const cell of cells) {
      const name = cell.trim();
      const column = byName.get(name.toLowerCase());
      if (!column) {
        push(1, name, cell, { kind: 'unknown-column', known: known.join(', ') });
        ok = false;
      } else if (column === 'price' && dialect !== 'excel-it') {
        push(1, name, cell, { kind: 'price-column-dialect', dialect });
        ok = false;
      } else if (columns.includes(column) || (column === 'price' && columns.includes('priceCents')) || (column === 'priceCents' && columns.includes('price'))) {
        push(1, name, cell, { kind: 'duplicate-column' });
        ok = false;
      }
      columns.push(column ?? 'reserved');
    }
    if (!columns.includes('sku')) {
      push(1, 'sku', null, { kind: 'missing-sku-column' });
      ok = false;
    }
    return ok ? columns : [];
  }

  /** Writes the staged file; answers how many products' stock it set. */
  private async apply(tx: Tx, fields: ReadonlySet<ImportField>, actor: Actor): Promise<number> {
    await catalogImport.apply(tx, fields);
    const levels = await catalogImport.stockTargets(tx);
    const stockChanged = await this.inventory.setStockLevels(tx, levels, actor.id, 'import');
    const crossings = await catalogImport.lowStockCrossings(tx);
    await recordEvents(
      tx,
      crossings.map((p) => ({
        type: 'inventory.low_stock' as const,
        data: { productId: p.id, sku: p.sku, name: p.name, available: p.available, reorderLevel: p.reorderLevel },
      })),
    );
    return stockChanged;
  }
}
