import { randomInt } from 'node:crypto';
import { gtinCheckDigit } from '../../src/products/barcode';

/** A fresh, valid EAN-13 (a random 12-digit body and its GS1 check digit): unique enough for a test's products. */
export function newEan13(): string {
  const body = `80${String(randomInt(0, 10_000_000_000)).padStart(10, '0')}`;
  return `${body}${gtinCheckDigit(body)}`;
}
