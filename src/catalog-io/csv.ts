import type { Response } from 'express';

/**
 * The two CSV dialects (docs/csv.md). `excel-it` is what Italian Excel opens and saves as "CSV UTF-8":
 * `;` between cells (the comma is the decimal separator), money in euro with a decimal comma, a UTF-8
 * BOM so Excel reads accents right. `rfc4180`: `,`, integer cents, no BOM. Both end records with CRLF.
 */
export type CsvDialect = 'excel-it' | 'rfc4180';

export const SEPARATOR: Record<CsvDialect, string> = { 'excel-it': ';', rfc4180: ',' };
const BOM = '\uFEFF';

/**
 * Formula injection (OWASP "CSV injection"): a cell that a spreadsheet would run as a formula gets
 * one leading `'`. Cells that begin with `'` before such a character get one more, so the import can
 * remove exactly one `'` from every cell matching /^'+[=+\-@\t\r]/ and restore the original text:
 * the mapping is a bijection, and a name such as "-10% sconto" round-trips unchanged.
 */
const FORMULA = /^'*[=+\-@\t\r]/;
const NEUTRALISED = /^'+[=+\-@\t\r]/;

export function neutralise(text: string): string {
  return FORMULA.test(text) ? `'${text}` : text;
}

export function unneutralise(text: string): string {
  return NEUTRALISED.test(text) ? text.slice(1) : text;
}

/** A cell as the dialect writes it: quoted when it holds the separator, a quote or a line break. */
function cell(value: string, separator: string): string {
  if (value.includes(separator) || value.includes('"') || value.includes('\n') || value.includes('\r')) return `"${value.replaceAll('"', '""')}"`;
  return value;
}

/** Euro cents as Italian Excel reads a number: `1234,56` (no thousands separator, so it stays a number). */
export function euroOfCents(cents: number): string {
  const sign = cents < 0 ? '-' : '';
  const abs = Math.abs(cents);
  return `${sign}${Math.floor(abs / 100)},${String(abs % 100).padStart(2, '0')}`;
}

/** A value of a row: text is neutralised; numbers and booleans are written as they are. */
export type CsvValue = string | number | boolean | null;

/**
 * Writes CSV to a response, honouring back-pressure: `row` resolves once the response can take more,
 * so a producer that awaits it (a keyset page at a time) keeps memory constant whatever the size.
 */
export class CsvResponseWriter {
  private readonly separator: string;
  private buffered: string[] = [];
  private bufferedChars = 0;

  constructor(
    private readonly res: Response,
    dialect: CsvDialect,
    filename: string,
  ) {
    this.separator = SEPARATOR[dialect];
    res.status(200);
    res.setHeader('Content-Type', 'text/csv; charset=utf-8');
    res.setHeader('Content-Disposition', `attachment; filename="${filename}"`);
    res.setHeader('Cache-Control', 'no-store');
    if (dialect === 'excel-it') this.buffered.push(BOM);
  }

  async row(values: readonly CsvValue[]): Promise<void> {
    const line = values.map((v) => (v === null ? '' : typeof v === 'string' ? cell(neutralise(v), this.separator) : String(v))).join(this.separator);
    this.buffered.push(line, '\r\n');
    this.bufferedChars += line.length + 2;
    if (this.bufferedChars >= 64 * 1024) await this.flush();
  }

  async flush(): Promise<void> {
    if (this.buffered.length === 0) return;
    const chunk = this.buffered.join('');
    this.buffered = [];
    this.bufferedChars = 0;
    if (this.res.destroyed) throw new Error('the client went away');
    if (!this.res.write(chunk)) {
      await new Promise<void>((resolve, reject) => {
        const done = (err?: Error): void => {
          this.res.off('drain', onDrain);
          this.res.off('close', onClose);
          if (err) reject(err);
          else resolve();
        };
        const onDrain = (): void => done();
        const onClose = (): void => done(new Error('the client went away'));
        this.res.on('drain', onDrain);
        this.res.on('close', onClose);
      });
    }
  }

  async end(): Promise<void> {
    await this.flush();
    this.res.end();
  }
}

/** A CSV record as read: its cells and its number in the file (1 = the first record, the header). */
export interface CsvRecord {
  number: number;
  cells: string[];
}

export class CsvRecordTooLong extends Error {
  constructor(readonly recordNumber: number) {
    super(`record ${recordNumber} is too long`);
  }
}

export class CsvUnclosedQuote extends Error {
  constructor(readonly recordNumber: number) {
    super(`record ${recordNumber} opens a quote that never closes`);
  }
}

/**
 * RFC 4180 records of a decoded text, one at a time (the text is at most IMPORT_MAX_BYTES; the
 * records are never all held). Quoted cells may hold the separator, `""` and line breaks; records
 * end with CRLF, LF or CR. A quote inside an unquoted cell is kept as text (as Excel does). A record
 * longer than `maxChars` stops the read (a binary or one-line file must not become one huge cell).
 */
export function* csvRecords(text: string, separator: string, maxChars: number): Generator<CsvRecord> {
  const sep = separator.charCodeAt(0);
  const QUOTE = 34;
  const CR = 13;
  const LF = 10;
  const length = text.length;
  let i = 0;
  let number = 0;
  while (i < length) {
    number += 1;
    const start = i;
    const cells: string[] = [];
    let ended = false;
    while (!ended) {
      if (i - start > maxChars) throw new CsvRecordTooLong(number);
      if (text.charCodeAt(i) === QUOTE) {
        // A quoted cell: up to the closing quote ("" is one quote).
        let value = '';
        let from = i + 1;
        for (;;) {
          const close = text.indexOf('"', from);
          if (close === -1 || close - start > maxChars) {
            if (close === -1 && length - start <= maxChars) throw new CsvUnclosedQuote(number);
            throw new CsvRecordTooLong(number);
          }
          value += text.slice(from, close);
          if (text.charCodeAt(close + 1) === QUOTE) {
            value += '"';
            from = close + 2;
            continue;
          }
          i = close + 1;
          break;
        }
        // Text between the closing quote and the separator is kept (lenient, as Excel).
        while (i < length) {
          const c = text.charCodeAt(i);
          if (c === sep || c === CR || c === LF) break;
          value += text[i];
          i += 1;
        }
        cells.push(value);
      } else {
        let j = i;
        while (j < length) {
          const c = text.charCodeAt(j);
          if (c === sep || c === CR || c === LF) break;
          j += 1;
        }
        if (j - start > maxChars) throw new CsvRecordTooLong(number);
        cells.push(text.slice(i, j));
        i = j;
      }
      const c = text.charCodeAt(i);
      if (i >= length) ended = true;
      else if (c === sep) i += 1;
      else {
        i += c === CR && text.charCodeAt(i + 1) === LF ? 2 : 1;
        ended = true;
      }
    }
    yield { number, cells };
  }
}

/**
 * The dialect a file is written in: more `;` than `,` in the header (outside quotes) means excel-it,
 * more `,` rfc4180. A BOM only breaks a tie (a one-column header): Excel English and LibreOffice
 * also save "CSV UTF-8" with a BOM, but with commas.
 */
export function detectDialect(text: string): CsvDialect {
  const bom = text.startsWith(BOM);
  const end = Math.min(text.length, 10_000 + (bom ? 1 : 0));
  let semicolons = 0;
  let commas = 0;
  let quoted = false;
  for (let i = bom ? 1 : 0; i < end; i += 1) {
    const c = text[i];
    if (c === '"') quoted = !quoted;
    else if (quoted) continue;
    else if (c === ';') semicolons += 1;
    else if (c === ',') commas += 1;
    else if (c === '\r' || c === '\n') break;
  }
  if (semicolons !== commas) return semicolons > commas ? 'excel-it' : 'rfc4180';
  return bom ? 'excel-it' : 'rfc4180';
}

export function withoutBom(text: string): string {
  return text.startsWith(BOM) ? text.slice(1) : text;
}
