import { ConflictError, ValidationError, type FieldError } from '../platform/errors';
import { lineAmounts, type PricedLine } from './order-totals';
import type { OrderStatus } from './order-state-machine';

/** An order line's units: ordered, shipped (in shipments not cancelled), cancelled. */
export interface LineCounts {
  productId: string;
  quantity: number;
  shippedQuantity: number;
  cancelledQuantity: number;
}

/** Units of one product, as a shipment holds them and as stock moves them. */
export interface UnitsOf {
  productId: string;
  quantity: number;
}

/** The order's shipments that count (not cancelled), and how many of them are delivered. */
export interface ShipmentTally {
  counting: number;
  delivered: number;
}

/** Units of a line still to ship. */
export const stillToShip = (line: LineCounts): number => line.quantity - line.shippedQuantity - line.cancelledQuantity;

/**
 * The order's status as its counts say (Saleor's `determine_order_status`, Medusa's aggregate
 * status): nothing shipped and everything cancelled → cancelled; nothing shipped → in preparation;
 * units still to ship → partially shipped; otherwise shipped, or delivered once every shipment that
 * counts is delivered. It reads numbers only, never the order in which events arrived.
 */
export function fulfilmentStatus(lines: readonly LineCounts[], shipments: ShipmentTally): OrderStatus {
  const shipped = lines.reduce((n, l) => n + l.shippedQuantity, 0);
  const open = lines.reduce((n, l) => n + stillToShip(l), 0);
  if (shipped === 0) return open === 0 ? 'cancelled' : 'in_preparation';
  if (open > 0) return 'partially_shipped';
  return shipments.counting > 0 && shipments.delivered === shipments.counting ? 'delivered' : 'shipped';
}

/**
 * What a new shipment holds: the lines asked for, or every unit still to ship. A product not on the
 * order or repeated is a 400 naming the line; more than is left of a product is a 409
 * `over-shipment` naming it; nothing is shipped either way.
 */
export function planShipment(lines: readonly LineCounts[], asked: readonly UnitsOf[] | undefined): UnitsOf[] {
  if (asked === undefined) return lines.filter((l) => stillToShip(l) > 0).map((l) => ({ productId: l.productId, quantity: stillToShip(l) }));
  const byProduct = new Map(lines.map((l) => [l.productId, l]));
  const seen = new Map<string, number>();
  const errors: FieldError[] = [];
  asked.forEach((line, i) => {
    const first = seen.get(line.productId);
    if (first !== undefined) errors.push({ path: `body.lines[${i}].productId`, message: `repeats the product of lines[${first}]` });
    else if (!byProduct.has(line.productId)) errors.push({ path: `body.lines[${i}].productId`, message: 'is not a product of this order' });
    seen.set(line.productId, first ?? i);
  });
  if (errors.length > 0) throw new ValidationError('Each line of a shipment names a product of the order, once.', errors);
  for (const line of asked) {
    const remaining = stillToShip(byProduct.get(line.productId) as LineCounts);
    if (line.quantity > remaining) {
      throw new ConflictError(
        'over-shipment',
        `Product ${line.productId} has ${remaining} unit(s) left to ship; ${line.quantity} were asked for. Nothing was shipped.`,
        { productId: line.productId, remainingQuantity: remaining },
      );
    }
  }
  return asked.map((l) => ({ productId: l.productId, quantity: l.quantity }));
}

/** Every line's units still to ship (what "cancel the rest" cancels and releases). */
export function unitsStillToShip(lines: readonly LineCounts[]): UnitsOf[] {
  return lines.filter((l) => stillToShip(l) > 0).map((l) => ({ productId: l.productId, quantity: stillToShip(l) }));
}

/**
 * What the cancelled units cost the customer: per line, the net and VAT of those units with the
 * order's own rounding (`lineAmounts`, half up per line), summed.
 */
export function grossOfUnits(lines: readonly (PricedLine & { productId: string })[], units: readonly UnitsOf[]): number {
  const byProduct = new Map(lines.map((l) => [l.productId, l]));
  return units.reduce((sum, u) => {
    const line = byProduct.get(u.productId);
    if (!line) throw new Error(`units of ${u.productId}, which is not on the order`);
    return sum + lineAmounts({ quantity: u.quantity, unitPriceCents: line.unitPriceCents, vatRate: line.vatRate }).grossCents;
  }, 0);
}
