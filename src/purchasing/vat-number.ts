/**
 * VAT numbers of suppliers. An Italian Partita IVA is 11 digits whose last is a check digit (the
 * Luhn-like rule of the Agenzia delle Entrate: digits in odd places summed as they are, those in even
 * places doubled and reduced by 9 when above 9); `IT` before it and spaces are accepted and dropped.
 * A foreign VAT number is a 2-letter country code and 2–13 letters or digits, kept upper-case.
 */
export type VatNumberCheck = { ok: true; value: string } | { ok: false; problem: string };

export function partitaIvaCheckDigit(first10: string): number {
  let sum = 0;
  for (let i = 0; i < 10; i += 1) {
    const digit = Number(first10[i]);
    if (i % 2 === 0) sum += digit;
    else sum += digit * 2 > 9 ? digit * 2 - 9 : digit * 2;
  }
  return (10 - (sum % 10)) % 10;
}

export function checkVatNumber(input: string): VatNumberCheck {
  const text = input.replace(/\s+/g, '').toUpperCase();
  const italian = /^(IT)?([0-9]*)$/.exec(text);
  if (italian && (italian[1] === 'IT' || /^[0-9]+$/.test(text))) {
    const digits = italian[2] ?? '';
    if (digits.length !== 11) return { ok: false, problem: `an Italian Partita IVA has 11 digits; this has ${digits.length}` };
    const expected = partitaIvaCheckDigit(digits.slice(0, 10));
    if (Number(digits[10]) !== expected) return { ok: false, problem: `the check digit of this Partita IVA should be ${expected}` };
    return { ok: true, value: digits };
  }
  if (text.startsWith('IT')) return { ok: false, problem: 'an Italian Partita IVA has 11 digits after IT' };
  if (!/^[A-Z]{2}[A-Z0-9]{2,13}$/.test(text)) {
    return { ok: false, problem: 'must be a Partita IVA (11 digits) or a foreign VAT number (a 2-letter country code and 2 to 13 letters or digits)' };
  }
  return { ok: true, value: text };
}
