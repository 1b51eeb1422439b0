import { ConflictError, ValidationError, type FieldError } from '../platform/errors';
import type { ReturnLineRecord } from './return.repository';

/** Each line names a product of `known` once: a 400 naming every wrong line otherwise. */
export function checkLinesName(asked: readonly { productId: string }[], known: ReadonlySet<string>, what: string): void {
  const seen = new Map<string, number>();
  const errors: FieldError[] = [];
  asked.forEach((line, i) => {
    const first = seen.get(line.productId);
    if (first !== undefined) errors.push({ path: `body.lines[${i}].productId`, message: `repeats the product of lines[${first}]` });
    else if (!known.has(line.productId)) errors.push({ path: `body.lines[${i}].productId`, message: `is not a product of this ${what}` });
    seen.set(line.productId, first ?? i);
  });
  if (errors.length > 0) throw new ValidationError(`Each line names a product of the ${what}, once.`, errors);
}

/**
 * Per order line, what a new return may still hold: shipped minus the units the order's other returns
 * hold (received back plus asked for by open returns: the order lines' counts). The first line beyond it is a 409 `over-return`.
 */
export function checkReturnable(
  asked: readonly { productId: string; quantity: number }[],
  shipped: ReadonlyMap<string, number>,
  committed: ReadonlyMap<string, number>,
): void {
  for (const line of asked) {
    const returnable = Math.max(0, (shipped.get(line.productId) ?? 0) - (committed.get(line.productId) ?? 0));
    if (line.quantity > returnable) {
      throw new ConflictError(
        'over-return',
        `Product ${line.productId} has ${returnable} unit(s) that may still be returned; ${line.quantity} were asked for. Nothing was stored.`,
        { productId: line.productId, returnableQuantity: returnable },
      );
    }
  }
}

/** What a receipt says of one line of the return: received, restocked, scrapped (a line left out received nothing). */
export interface LineOutcome {
  productId: string;
  receivedQuantity: number;
  restockedQuantity: number;
  scrappedQuantity: number;
}

/**
 * Checks a receipt against the return's lines: each product of the return at most once (400), restocked
 * never above received (400), at least one unit received (400: a receipt of nothing would close the
 * return's hold with nothing back), received never above the units asked for (409 `over-receipt`). Answers
 * every line of the return with its outcome.
 */
export function outcomesOf(
  lines: readonly ReturnLineRecord[],
  asked: readonly { productId: string; receivedQuantity: number; restockQuantity: number }[],
): LineOutcome[] {
  checkLinesName(asked, new Set(lines.map((l) => l.productId)), 'return');
  const errors: FieldError[] = [];
  asked.forEach((a, i) => {
    if (a.restockQuantity > a.receivedQuantity)
      errors.push({ path: `body.lines[${i}].restockQuantity`, message: `may not exceed receivedQuantity (${a.receivedQuantity})` });
  });
  if (errors.length > 0) throw new ValidationError('Only received units can be restocked.', errors);
  if (!asked.some((a) => a.receivedQuantity > 0)) {
    throw new ValidationError('A receipt records at least one unit received; nothing was recorded.', [
      { path: 'body.lines', message: 'no line has a receivedQuantity above 0' },
    ]);
  }
  const byProduct = new Map(asked.map((a) => [a.productId, a]));
  return lines.map((line) => {
    const a = byProduct.get(line.productId);
    const received = a?.receivedQuantity ?? 0;
    if (received > line.quantity) {
      throw new ConflictError(
        'over-receipt',
        `Product ${line.productId}: ${received} unit(s) reported received, the return asked for ${line.quantity}. Nothing was recorded.`,
        { productId: line.productId, requestedQuantity: line.quantity },
      );
    }
    const restocked = a?.restockQuantity ?? 0;
    return { productId: line.productId, receivedQuantity: received, restockedQuantity: restocked, scrappedQuantity: received - restocked };
  });
}
