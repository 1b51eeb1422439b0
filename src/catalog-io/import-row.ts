import { gtinCheckDigit, type ImportField, type ImportRowRecord } from '../products';
import { unneutralise, type CsvDialect } from './csv';
import type { RowProblem } from './import-messages';

/** The columns of a product file (docs/csv.md), as the header names them, and the field each sets. */
export const PRODUCT_COLUMNS = [
  'sku',
  'name',
  'description',
  'category',
  'price',
  'priceCents',
  'vatRate',
  'reorderLevel',
  'barcode',
  'archived',
  'onHand',
  'reserved',
  'available',
  // Purchasing's (issue 29), after the columns of issue 30.
  'supplierSku',
  'reorderQuantity',
  'incoming',
] as const;
export type ProductColumn = (typeof PRODUCT_COLUMNS)[number];

/** The field a column sets; `reserved`, `available` and `incoming` are read-only figures, accepted and ignored. */
export const FIELD_OF: Record<ProductColumn, ImportField | 'sku' | null> = {
  sku: 'sku',
  name: 'name',
  description: 'description',
  category: 'category',
  price: 'unitPriceCents',
  priceCents: 'unitPriceCents',
  vatRate: 'vatRate',
  reorderLevel: 'reorderLevel',
  barcode: 'barcode',
  archived: 'active',
  onHand: 'onHand',
  reserved: null,
  available: null,
  supplierSku: 'supplierSku',
  reorderQuantity: 'reorderQuantity',
  incoming: null,
};

export interface CellProblem {
  column: ProductColumn | null;
  value: string | null;
  problem: RowProblem;
}

const SKU = /^[A-Za-z0-9._-]{1,64}$/;
// The contract's name rule: no control characters (line breaks included), not only blanks.
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/;
const MAX_STOCK = 1_000_000_000;
const MAX_PRICE_CENTS = 100_000_000;
const VAT_RATES = new Set([0, 4, 5, 10, 22]);
const TRUE = new Set(['true', 'vero', 'sì', 'si', 'yes', '1']);
const FALSE = new Set(['false', 'falso', 'no', '0']);

/** More than `max` characters, counted as the contract counts them (code points: an emoji is one). */
function longer(text: string, max: number): boolean {
  return text.length > max && [...text].length > max;
}

/** A whole number: plain digits, or (excel-it) grouped with dots, as Excel may write `1.000`. */
function integer(text: string, dialect: CsvDialect, max: number): number | undefined {
  const t = text.trim();
  const plain = /^\d{1,10}$/.test(t) ? t : dialect === 'excel-it' && /^\d{1,3}(\.\d{3})+$/.test(t) ? t.replaceAll('.', '') : undefined;
  if (plain === undefined) return undefined;
  const n = Number(plain);
  return n <= max ? n : undefined;
}

/** Euro in the Italian way (`1.234,56`, `1234,5`, `12`) as cents. */
function euroCents(text: string): number | undefined {
  const t = text.trim().replace(/^€\s*|\s*€$/g, '');
  const m = /^(\d{1,3}(?:\.\d{3})+|\d{1,9})(?:,(\d{1,2}))?$/.exec(t);
  if (!m) return undefined;
  const cents = Number((m[1] as string).replaceAll('.', '')) * 100 + Number((m[2] ?? '0').padEnd(2, '0'));
  return cents <= MAX_PRICE_CENTS ? cents : undefined;
}

function barcodeWhy(code: string, it: boolean): string | null {
  if (!/^\d+$/.test(code)) return it ? 'solo cifre: EAN-13, EAN-8 o UPC-A' : 'digits only: an EAN-13, EAN-8 or UPC-A';
  if (![8, 12, 13].includes(code.length)) return it ? `13, 12 o 8 cifre, non ${code.length}` : `13, 12 or 8 digits, not ${code.length}`;
  const expected = gtinCheckDigit(code.slice(0, -1));
  if (expected !== Number(code.slice(-1))) return it ? `la cifra di controllo dovrebbe essere ${expected}` : `the check digit should be ${expected}`;
  return null;
}

/**
 * One data row, cell by cell: the record to stage and the problems of its cells (all of them, so the
 * report names every wrong cell at once; a row with problems is never staged). `columns[i]` is the
 * column of cell i.
 */
export function readRow(
  rowNo: number,
  cells: readonly string[],
  columns: readonly ProductColumn[],
  dialect: CsvDialect,
  lang: 'it' | 'en',
): { row: ImportRowRecord; problems: CellProblem[] } {
  const row: ImportRowRecord = {
    rowNo,
    sku: '',
    name: null,
    description: null,
    category: null,
    barcode: null,
    unitPriceCents: null,
    vatRate: null,
    reorderLevel: null,
    active: null,
    onHand: null,
    supplierSku: null,
    reorderQuantity: null,
  };
  const problems: CellProblem[] = [];
  columns.forEach((column, i) => {
    const raw = cells[i] ?? '';
    const text = unneutralise(raw);
    const blank = text.trim() === '';
    const fail = (problem: RowProblem): void => {
      problems.push({ column, value: raw, problem });
    };
    switch (column) {
      case 'sku':
        if (blank) fail({ kind: 'required' });
        else if (!SKU.test(text.trim())) fail({ kind: 'sku' });
        else row.sku = text.trim();
        break;
      case 'name':
        if (blank) break;
        if (CONTROL.test(text)) fail({ kind: 'control-characters' });
        else if (longer(text.trim(), 200)) fail({ kind: 'text-too-long', max: 200 });
        else row.name = text.trim();
        break;
      case 'description':
        if (longer(text, 5000)) fail({ kind: 'text-too-long', max: 5000 });
        else row.description = text === '' ? null : text;
        break;
      case 'category':
        if (CONTROL.test(text)) fail({ kind: 'control-characters' });
        else if (longer(text, 100)) fail({ kind: 'text-too-long', max: 100 });
        else row.category = text === '' ? null : text;
        break;
      case 'price':
      case 'priceCents': {
        if (blank) break;
        const cents = column === 'price' ? euroCents(text) : integer(text, 'rfc4180', MAX_PRICE_CENTS);
        if (cents === undefined) fail({ kind: column === 'price' ? 'price-excel' : 'price-cents' });
        else row.unitPriceCents = cents;
        break;
      }
      case 'vatRate': {
        if (blank) break;
        const rate = integer(text.replace(/\s*%$/, ''), dialect, 100);
        if (rate === undefined || !VAT_RATES.has(rate)) fail({ kind: 'vat-rate' });
        else row.vatRate = rate;
        break;
      }
      case 'reorderLevel':
      case 'onHand': {
        if (blank) break;
        const n = integer(text, dialect, MAX_STOCK);
        if (n === undefined) fail({ kind: 'integer', min: 0, max: MAX_STOCK });
        else if (column === 'onHand') row.onHand = n;
        else row.reorderLevel = n;
        break;
      }
      case 'barcode': {
        if (blank) break;
        const why = barcodeWhy(text.trim(), lang === 'it');
        if (why) fail({ kind: 'barcode', why });
        else row.barcode = text.trim();
        break;
      }
      case 'archived': {
        if (blank) break;
        const v = text.trim().toLowerCase();
        if (TRUE.has(v)) row.active = false;
        else if (FALSE.has(v)) row.active = true;
        else fail({ kind: 'boolean' });
        break;
      }
      case 'supplierSku':
        // As the API: 1–64 characters without control characters; an empty cell clears it.
        if (text === '') row.supplierSku = null;
        else if (CONTROL.test(text)) fail({ kind: 'control-characters' });
        else if (longer(text, 64)) fail({ kind: 'text-too-long', max: 64 });
        else row.supplierSku = text;
        break;
      case 'reorderQuantity': {
        // An empty cell clears it (null: enough to reach twice the reorder level), as the export writes null.
        if (blank) break;
        const n = integer(text, dialect, MAX_STOCK);
        if (n === undefined || n < 1) fail({ kind: 'integer', min: 1, max: MAX_STOCK });
        else row.reorderQuantity = n;
        break;
      }
      case 'reserved':
      case 'available':
      case 'incoming':
        break;
    }
  });
  return { row, problems };
}
