import { createHash } from 'node:crypto';
import type { Tx } from '../platform/db/db';
import { ConflictError } from '../platform/errors';
import type { Actor, RequestBody } from '../platform/http/contract';
import type { IdempotentRequest, StoredResult } from '../platform/idempotency';
import type { Carrier, CreatedShipment, ShipmentView } from '../shipping';
import { withProviderCall } from '../platform/upstream';
import { SHIPPABLE, illegalTransition } from './order-state-machine';
import { planShipment, type UnitsOf } from './order-fulfilment';
import { orderRepository as orders, type OrderRecord } from './order.repository';
import { lockVisible } from './order-transition';
import { settleFulfilment } from './settle-fulfilment';
import type { OrderContext } from './order-context';

type ShipmentInput = RequestBody<'createShipment'>;

/**
 * Ships all or part of an order in preparation or partly shipped, with a carrier: `manual` (carrier
 * and tracking code typed by staff, recorded in one transaction) or `easypost` (shipment created and
 * label bought). The lines asked for (or every unit still to ship) are checked against the order's
 * counts under its row lock; recording the shipment stores its lines, adds them to the lines'
 * shipped counts (a database check keeps shipped + cancelled within each line's quantity), books
 * their `sale` movements and derives the order's status from the counts, all in that transaction.
 *
 * A remote carrier follows the provider protocol (`withProviderCall`), never called with a
 * connection or a lock held: a short transaction checks the order and the lines (a bad request buys
 * nothing), the label is bought outside any transaction (a duplicate of the same request in this
 * process joins the purchase in flight), then a short transaction locks the order again and checks
 * the counts again before recording. When the order stopped being shippable or the units were
 * shipped by someone else meanwhile, the answer is 409 and the bought label is refunded at the
 * carrier (best effort; logged for staff otherwise).
 */
export async function shipOrder(
  ctx: OrderContext,
  orderId: string,
  input: ShipmentInput,
  actor: Actor,
  idempotencyKey: string | undefined,
): Promise<StoredResult<ShipmentView>> {
  const carrier = ctx.shipping.carrier(input.carrier);
  // UUIDs are case-insensitive; the rows are lower-case.
  const asked = input.lines?.map((l) => ({ productId: l.productId.toLowerCase(), quantity: l.quantity }));
  const request: IdempotentRequest = { userId: actor.id, scope: 'createShipment', key: idempotencyKey, fingerprint: { orderId, ...input } };
  if (!carrier.remote) {
    return ctx.idempotency.run(request, async (tx) => {
      const { order, units } = await checkShippable(tx, orderId, actor, asked);
      const shipment = await ctx.shipping.create(tx, order, carrier, input, units);
      await fileShipment(ctx, tx, order, shipment, actor);
      return { status: 201, body: shipment };
    });
  }
  const replay = await ctx.idempotency.replayOf<ShipmentView>(request);
  if (replay) return replay;
  const outcome = await withProviderCall(ctx.db, {
    // A bare check: nothing is recorded before the purchase (a crash during it leaves the label only at the carrier).
    record: (tx) => checkShippable(tx, orderId, actor, asked),
    join: ({ order }) => `label:${order.id}:${createHash('sha256').update(JSON.stringify(input)).digest('hex')}`,
    call: ({ order }) => ctx.shipping.buyLabel(carrier, order, input),
    finish: async (tx, _checked, created): Promise<ShipOutcome> => {
      // A duplicate of this request joined the same purchase and filed it first (seen under the order's lock): its answer is this one's.
      await lockVisible(tx, orderId, actor);
      if (await ctx.shipping.isFiled(tx, carrier, created)) return { kind: 'filed-by-duplicate', created };
      let checked: Shippable;
      try {
        checked = await checkShippable(tx, orderId, actor, asked);
      } catch (err) {
        if (err instanceof ConflictError) return { kind: 'refused', refusal: err, created };
        throw err;
      }
      const shipment = await ctx.shipping.record(tx, checked.order, carrier, created, checked.units);
      await fileShipment(ctx, tx, checked.order, shipment, actor);
      return { kind: 'stored', stored: await ctx.idempotency.store(tx, request, 201, shipment) };
    },
  });
  if (outcome.kind === 'stored') return outcome.stored;
  const { created } = outcome;
  // A duplicate of this very request (same key) that shipped meanwhile is replayed.
  const shippedByDuplicate = await ctx.idempotency.replayOf<ShipmentView>(request);
  if (shippedByDuplicate) return shippedByDuplicate;
  if (outcome.kind === 'filed-by-duplicate') {
    throw new ConflictError('conflict', `A duplicate of this request already filed the shipment ${created.trackingCode}; nothing more was shipped.`);
  }
  await refundUnusedLabel(ctx, carrier, orderId, created);
  throw outcome.refusal;
}

/** What a shipment may hold now: the order (locked, shippable) and the units, checked against its counts. */
interface Shippable {
  order: OrderRecord;
  units: UnitsOf[];
}

async function checkShippable(tx: Tx, orderId: string, actor: Actor, asked: UnitsOf[] | undefined): Promise<Shippable> {
  const order = await lockVisible(tx, orderId, actor);
  if (!SHIPPABLE.has(order.status)) throw illegalTransition(order.status, 'cannot be shipped');
  const units = planShipment(await orders.lineCounts(tx, orderId), asked);
  // Unreachable while the status follows the counts (shippable means units left); never an empty parcel.
  if (units.length === 0) throw illegalTransition(order.status, 'has nothing left to ship');
  return { order, units };
}

/** Under the order's lock: the shipment's units counted shipped, their sale booked, the status derived. */
async function fileShipment(ctx: OrderContext, tx: Tx, order: OrderRecord, shipment: ShipmentView, actor: Actor): Promise<void> {
  await orders.addUnits(tx, order.id, 'shipped', shipment.lines, 1);
  await ctx.inventory.commitSale(tx, order.id, shipment.lines, actor, `shipment ${shipment.trackingCode}`);
  await settleFulfilment(ctx, tx, order, actor, `shipped with ${shipment.carrierName} ${shipment.trackingCode}`, {
    shipmentId: shipment.id,
    announce: true,
  });
}

/** After a refused finish: the label bought for nothing is refunded at the carrier, or left in the log for staff. */
async function refundUnusedLabel(ctx: OrderContext, carrier: Carrier, orderId: string, created: CreatedShipment): Promise<void> {
  const logged = { orderId, carrier: carrier.name, providerShipmentId: created.providerShipmentId, trackingCode: created.trackingCode };
  try {
    await carrier.cancelShipment(created.providerShipmentId);
    ctx.logger.warn(logged, 'a label was bought for units that stopped being shippable during the purchase: it was refunded at the carrier');
  } catch (err) {
    ctx.logger.warn({ ...logged, err }, 'a label was bought for units that stopped being shippable during the purchase: refund it at the carrier');
  }
}

/** How the purchase ended: the shipment stored with the answer, filed by a joined duplicate, or refused by the re-check (the label bought anyway). */
type ShipOutcome =
  | { kind: 'stored'; stored: StoredResult<ShipmentView> }
  | { kind: 'filed-by-duplicate'; created: CreatedShipment }
  | { kind: 'refused'; refusal: ConflictError; created: CreatedShipment };
