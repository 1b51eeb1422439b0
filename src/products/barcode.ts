/**
 * Product barcodes: EAN-13, EAN-8 or UPC-A, with the GS1 check digit (the same rule as the database's
 * `quickstock_gtin_valid`, migration 0015, which holds even if this code is bypassed).
 */

/** The check digit the other digits call for (GS1: weights 3 and 1 from the right, the check digit excluded). */
export function gtinCheckDigit(digitsWithoutCheck: string): number {
  let sum = 0;
  const reversed = [...digitsWithoutCheck].reverse();
  reversed.forEach((digit, i) => {
    sum += Number(digit) * (i % 2 === 0 ? 3 : 1);
  });
  return (10 - (sum % 10)) % 10;
}

/** Why `code` is not a barcode we accept, in words for the problem's `errors`; null when it is one. */
export function barcodeProblem(code: string): string | null {
  if (!/^\d+$/.test(code)) return 'must hold digits only (an EAN-13, EAN-8 or UPC-A)';
  if (![8, 12, 13].includes(code.length)) return `must be 13 (EAN-13), 12 (UPC-A) or 8 (EAN-8) digits, got ${code.length}`;
  const expected = gtinCheckDigit(code.slice(0, -1));
  const given = Number(code.slice(-1));
  if (expected !== given) return `has a wrong check digit: ${code.slice(0, -1)}${expected} would be valid (the last digit must be ${expected}, not ${given})`;
  return null;
}
