import type { Schemas } from '../platform/http/contract';

export type Totals = Schemas['Totals'];

export interface PricedLine {
  quantity: number;
  unitPriceCents: number;
  vatRate: number;
}

/** VAT of a line in cents, rounded half up, in exact integer arithmetic (no floating point). */
export function lineAmounts(line: PricedLine): Totals {
  const netCents = line.quantity * line.unitPriceCents;
  const vatCents = Math.floor((netCents * line.vatRate + 50) / 100);
  return { netCents, vatCents, grossCents: netCents + vatCents };
}

export function sumTotals(lines: readonly Totals[]): Totals {
  return lines.reduce((acc, l) => ({ netCents: acc.netCents + l.netCents, vatCents: acc.vatCents + l.vatCents, grossCents: acc.grossCents + l.grossCents }), {
    netCents: 0,
    vatCents: 0,
    grossCents: 0,
  });
}
