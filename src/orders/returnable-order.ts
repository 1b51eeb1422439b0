import type { Tx } from '../platform/db/db';
import { NotFoundError } from '../platform/errors';
import type { Actor } from '../platform/http/contract';
import { lineAmounts } from './order-totals';
import { orderRepository as orders } from './order.repository';
import { visibleTo } from './order-transition';
import type { OrderStatus } from './order-state-machine';

/** An order line as returns need it: what shipped, what came back, and its price. */
export interface ReturnableLine {
  productId: string;
  sku: string;
  name: string;
  quantity: number;
  shippedQuantity: number;
  returnedQuantity: number;
  /** Units open returns (requested/approved) ask for and have not received yet. */
  returnHeldQuantity: number;
  unitPriceCents: number;
  vatRate: number;
}

/** An order locked for a return: who it is for, when it was delivered, and its lines' counts. */
export interface ReturnableOrder {
  id: string;
  number: string;
  customerId: string;
  status: OrderStatus;
  /** When it last became `delivered`; null when it is not (or was never) delivered. */
  deliveredAt: Date | null;
  lines: ReturnableLine[];
}

/**
 * Locks the order (its row lock, taken before any return's) for a return's change, and reads what
 * returns need. `actor` null: the service itself (a carrier's parcel sent back) sees every order;
 * a customer sees its own only (404 otherwise).
 */
export async function lockForReturn(tx: Tx, orderId: string, actor: Actor | null): Promise<ReturnableOrder> {
  const locked = await orders.lock(tx, orderId);
  const order = actor ? visibleTo(locked, actor) : locked;
  if (!order) throw new NotFoundError('The order');
  const items = await orders.items(tx, orderId);
  return {
    id: order.id,
    number: order.number,
    customerId: order.customerId,
    status: order.status,
    deliveredAt: order.status === 'delivered' ? await orders.deliveredAt(tx, orderId) : null,
    lines: items.map((i) => ({
      productId: i.productId,
      sku: i.sku,
      name: i.name,
      quantity: i.quantity,
      shippedQuantity: i.shippedQuantity,
      returnedQuantity: i.returnedQuantity,
      returnHeldQuantity: i.returnHeldQuantity,
      unitPriceCents: i.unitPriceCents,
      vatRate: i.vatRate,
    })),
  };
}

/**
 * The gross of `units` of a line, with the order's own rounding (VAT half up on the units' net):
 * `units` = the line's quantity gives exactly the line's `grossCents`.
 */
export function grossOfLineUnits(line: Pick<ReturnableLine, 'unitPriceCents' | 'vatRate'>, units: number): number {
  return units === 0 ? 0 : lineAmounts({ quantity: units, unitPriceCents: line.unitPriceCents, vatRate: line.vatRate }).grossCents;
}

/**
 * Holds (`sign` 1: a return asked for) or releases (`sign` -1: a return rejected or cancelled) units
 * of the order's lines for an open return (the caller holds the order's lock; a CHECK keeps
 * returned + held ≤ shipped, so a cancelled shipment cannot take units a return holds).
 */
export async function holdForReturn(tx: Tx, orderId: string, units: readonly { productId: string; quantity: number }[], sign: 1 | -1): Promise<void> {
  await orders.addUnits(tx, orderId, 'returnHeld', units, sign);
}

/**
 * A return received (the caller holds the order's lock): the units it held (`asked`) are released and
 * the received ones count as returned (a CHECK keeps returned + held ≤ shipped).
 */
export async function countReturned(
  tx: Tx,
  orderId: string,
  asked: readonly { productId: string; quantity: number }[],
  received: readonly { productId: string; quantity: number }[],
): Promise<void> {
  await holdForReturn(tx, orderId, asked, -1);
  await orders.addUnits(
    tx,
    orderId,
    'returned',
    received.filter((u) => u.quantity > 0),
    1,
  );
}
