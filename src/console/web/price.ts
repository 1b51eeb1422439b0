/**
 * Euro amounts typed the Italian way ("1.234,56", "12,3", "0,10 €") to integer cents, and back.
 * Pure string and integer arithmetic: "0,10" is 10 cents exactly, never 0.1 × 100 = 10.000000000000002.
 * No DOM here, so the unit tests import it directly.
 */
export type PriceParse = { ok: true; cents: number } | { ok: false; reason: 'empty' | 'format' | 'decimals' | 'negative' | 'tooLarge' };

/** The contract's ceiling for `unitPriceCents`. */
export const MAX_PRICE_CENTS = 100_000_000;

// Digits with optional thousands dots in groups of three ("1.234.567"), then an optional comma and 1–2 decimals.
const GROUPED = /^(\d{1,3}(?:\.\d{3})+|\d+)(?:,(\d*))?$/;

export function parseEuroCents(input: string): PriceParse {
  const text = input.replace(/\s|\u00a0|€/g, '');
  if (text === '') return { ok: false, reason: 'empty' };
  if (text.startsWith('-')) return { ok: false, reason: 'negative' };
  const match = GROUPED.exec(text);
  if (!match) return { ok: false, reason: 'format' };
  const whole = (match[1] ?? '').replace(/\./g, '');
  const fraction = match[2] ?? '';
  if (fraction.length > 2) return { ok: false, reason: 'decimals' };
  if (whole.length > 9) return { ok: false, reason: 'tooLarge' };
  const cents = Number(whole) * 100 + Number(fraction.padEnd(2, '0'));
  if (cents > MAX_PRICE_CENTS) return { ok: false, reason: 'tooLarge' };
  return { ok: true, cents };
}

/** Cents as the user types them back: 123456 → "1.234,56", 10 → "0,10". */
export function centsToInput(cents: number): string {
  const whole = Math.trunc(cents / 100);
  const fraction = String(cents % 100).padStart(2, '0');
  return `${String(whole).replace(/\B(?=(\d{3})+(?!\d))/g, '.')},${fraction}`;
}
