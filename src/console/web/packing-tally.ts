/**
 * What the packing view counts, as a pure rule (no DOM, unit-tested in Node): the order's lines with
 * the units still to ship and the units put in the parcel so far. A scan finds the line by its
 * product's barcode; a code of no line, or one unit beyond what is left to ship, is refused and
 * changes nothing. The server checks the same limit again (409 `over-shipment`).
 */

export interface TallyLine {
  productId: string;
  sku: string;
  name: string;
  /** The product's barcode as stored (null: count it with + and −). */
  barcode: string | null;
  /** Units still to ship: quantity − shipped − cancelled, when the view was (re)loaded. */
  remaining: number;
  /** Units in the parcel being packed. */
  packed: number;
}

export type ScanOutcome = { kind: 'counted'; line: TallyLine } | { kind: 'unknown'; code: string } | { kind: 'too-many'; code: string; line: TallyLine };

/**
 * A barcode in one form for comparing: digits only, left-padded to 14 (GTIN-14), so a UPC-A (12
 * digits) and its EAN-13 with a leading zero are the same code, as the service treats them. Anything
 * that is not 8–14 digits stays as typed (it can only match nothing).
 */
export function barcodeKey(code: string): string {
  const trimmed = code.trim();
  return /^\d{8,14}$/.test(trimmed) ? trimmed.padStart(14, '0') : `raw:${trimmed}`;
}

export class PackingTally {
  private readonly byBarcode = new Map<string, TallyLine>();

  constructor(readonly lines: TallyLine[]) {
    for (const line of lines) if (line.barcode) this.byBarcode.set(barcodeKey(line.barcode), line);
  }

  /** One unit of the product with this barcode, if it is on the order and a unit of it is left. */
  scan(code: string): ScanOutcome {
    const line = this.byBarcode.get(barcodeKey(code));
    if (!line) return { kind: 'unknown', code: code.trim() };
    if (line.packed >= line.remaining) return { kind: 'too-many', code: code.trim(), line };
    line.packed += 1;
    return { kind: 'counted', line };
  }

  /** One unit more (+) or less (−) of a line by hand; false when the limit (0 or what is left) refuses it. */
  step(productId: string, delta: 1 | -1): boolean {
    const line = this.lines.find((l) => l.productId === productId);
    if (!line) return false;
    const next = line.packed + delta;
    if (next < 0 || next > line.remaining) return false;
    line.packed = next;
    return true;
  }

  /** The parcel's lines as the shipment request takes them (lines with no unit left out). */
  shipmentLines(): { productId: string; quantity: number }[] {
    return this.lines.filter((l) => l.packed > 0).map((l) => ({ productId: l.productId, quantity: l.packed }));
  }

  get packedUnits(): number {
    return this.lines.reduce((n, l) => n + l.packed, 0);
  }

  get remainingUnits(): number {
    return this.lines.reduce((n, l) => n + l.remaining, 0);
  }

  /**
   * Takes fresh "still to ship" counts (someone shipped or cancelled meanwhile), keeping what was
   * packed within them; returns the lines whose packed units had to be lowered.
   */
  refresh(remaining: ReadonlyMap<string, number>): TallyLine[] {
    const lowered: TallyLine[] = [];
    for (const line of this.lines) {
      line.remaining = remaining.get(line.productId) ?? 0;
      if (line.packed > line.remaining) {
        line.packed = line.remaining;
        lowered.push(line);
      }
    }
    return lowered;
  }

  /** Empties the parcel (after it shipped). */
  reset(): void {
    for (const line of this.lines) line.packed = 0;
  }
}
