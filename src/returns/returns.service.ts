import type { Logger } from 'pino';
import type { Db, DbTarget, Tx } from '../platform/db/db';
import { ConflictError, NotFoundError } from '../platform/errors';
import { recordEvent } from '../platform/events';
import { isStaff, type Actor, type RequestBody } from '../platform/http/contract';
import { cursorScope, keysetAfter, toPage, type Page } from '../platform/http/pagination';
import type { IdempotencyStore, StoredResult } from '../platform/idempotency';
import type { InventoryService } from '../inventory';
import { countReturned, grossOfLineUnits, holdForReturn, lockForReturn, type OrdersService, type ReturnableOrder } from '../orders';
import type { ReturnStatus } from './return.model';
import { returnRepository as returns, type ReturnWithLines } from './return.repository';
import { assertReturnTransition } from './return-state-machine';
import { checkLinesName, checkReturnable, outcomesOf } from './return-rules';
import { proposedCentsOf, toReturnEvent, toReturnView, type ReturnView } from './return-view';

const DAY_MS = 24 * 60 * 60 * 1000;

/** Refunds made against returns that did not fail, per return id (answered by payments; 0 for a return without any). */
export type RefundedCentsOfReturns = (target: DbTarget, returnIds: readonly string[]) => Promise<Map<string, number>>;

/** A parcel the carrier sent back (`return_to_sender`): its order, its shipment and the units it held. */
export interface ReturnedParcel {
  orderId: string;
  shipmentId: string;
  trackingCode: string;
  lines: readonly { productId: string; quantity: number }[];
}

export interface ReturnsContext {
  db: Db;
  inventory: InventoryService;
  /** Only to tell whether an actor may see an order (404 otherwise). */
  orders: Pick<OrdersService, 'checkVisible'>;
  idempotency: IdempotencyStore;
  logger: Logger;
  /** RETURN_WINDOW_DAYS: a customer asks within these days of delivery. */
  returnWindowDays: number;
  refundedCents: RefundedCentsOfReturns;
}

export interface ReturnQuery {
  limit: number;
  cursor?: string;
  status?: ReturnStatus;
  orderId?: string;
}

/**
 * Returns (RMA): goods asked back, approved, received — restocked or scrapped — and closed. Every
 * change locks the order's row first (the order's lines hold the counts a return is checked against),
 * then the return's, and writes `return.updated` in its transaction. Orders and inventory are reached
 * through their indexes: orders lock and count, inventory books the `return` movements.
 */
export class ReturnsService {
  constructor(private readonly ctx: ReturnsContext) {}

  /**
   * A customer for its own delivered order within the window, staff for any order: under the order's
   * lock, each line within what shipped minus what the order's other returns hold.
   */
  create(orderId: string, input: RequestBody<'createReturn'>, actor: Actor, key: string | undefined): Promise<StoredResult<ReturnView>> {
    const asked = input.lines.map((l) => ({ ...l, productId: l.productId.toLowerCase() }));
    const request = { userId: actor.id, scope: 'createReturn', key, fingerprint: { orderId, ...input } };
    return this.ctx.idempotency.run(request, async (tx) => {
      const order = await lockForReturn(tx, orderId, actor);
      checkLinesName(asked, new Set(order.lines.map((l) => l.productId)), 'order');
      if (!isStaff(actor)) this.checkWindow(order);
      checkReturnable(asked, new Map(order.lines.map((l) => [l.productId, l.shippedQuantity])), committedOf(order));
      const byProduct = new Map(order.lines.map((l) => [l.productId, l]));
      const created = await returns.insert(tx, {
        orderId,
        orderNumber: order.number,
        customerId: order.customerId,
        status: 'requested',
        origin: isStaff(actor) ? 'staff' : 'customer',
        note: input.note ?? null,
        sourceShipmentId: null,
        createdBy: actor.id,
        lines: asked.map((a) => {
          const line = byProduct.get(a.productId) as ReturnableOrder['lines'][number];
          return { productId: a.productId, sku: line.sku, name: line.name, quantity: a.quantity, reason: a.reason, unitGrossCents: grossOfLineUnits(line, 1) };
        }),
      });
      if (!created) throw new Error('a return without a source shipment was not inserted');
      await holdForReturn(tx, orderId, asked, 1);
      await this.announce(tx, created);
      return { status: 201, body: await this.view(tx, created) };
    });
  }

  approve(id: string, actor: Actor, key: string | undefined): Promise<StoredResult<ReturnView>> {
    return this.step(id, actor, key, 'approveReturn', {}, async (tx, r) => {
      assertReturnTransition(r.status, 'approved');
      await returns.setStatus(tx, r.id, 'approved');
    });
  }

  reject(id: string, reason: string, actor: Actor, key: string | undefined): Promise<StoredResult<ReturnView>> {
    return this.step(id, actor, key, 'rejectReturn', { reason }, async (tx, r) => {
      assertReturnTransition(r.status, 'rejected');
      await holdForReturn(tx, r.orderId, r.lines, -1);
      await returns.setStatus(tx, r.id, 'rejected', reason);
    });
  }

  /** Staff cancel any return not received yet; a customer its own while it is only `requested`. */
  cancel(id: string, actor: Actor, key: string | undefined): Promise<StoredResult<ReturnView>> {
    return this.step(id, actor, key, 'cancelReturn', {}, async (tx, r) => {
      if (!isStaff(actor) && r.status !== 'requested') {
        throw new ConflictError('illegal-transition', `A return that is ${r.status} can be cancelled by staff only; a customer cancels a requested one.`, {
          currentReturnStatus: r.status,
          allowedReturnStatuses: [],
        });
      }
      assertReturnTransition(r.status, 'cancelled');
      await holdForReturn(tx, r.orderId, r.lines, -1);
      await returns.setStatus(tx, r.id, 'cancelled');
    });
  }

  /**
   * What came back: per line received (≤ asked), restocked (≤ received) and scrapped (the rest). The
   * received units count as returned on the order's lines; the restocked ones are `return` movements
   * with the return's number; each line's refund is fixed as the gross of the line's units returned
   * so far minus the gross of those returned before (the order's own rounding), so two units are worth
   * exactly their gross and all the returns of a line never more than the line.
   */
  receive(id: string, input: RequestBody<'receiveReturn'>, actor: Actor, key: string | undefined): Promise<StoredResult<ReturnView>> {
    const asked = input.lines.map((l) => ({ ...l, productId: l.productId.toLowerCase() }));
    return this.step(id, actor, key, 'receiveReturn', input, async (tx, r, order) => {
      assertReturnTransition(r.status, 'received');
      const outcomes = outcomesOf(r.lines, asked);
      const orderLines = new Map(order.lines.map((l) => [l.productId, l]));
      await returns.recordReceipt(
        tx,
        r.id,
        outcomes.map((o) => {
          const line = orderLines.get(o.productId);
          if (!line) throw new Error(`return ${r.id}: product ${o.productId} is not on order ${order.id}`);
          const before = line.returnedQuantity;
          return { ...o, refundCents: grossOfLineUnits(line, before + o.receivedQuantity) - grossOfLineUnits(line, before) };
        }),
      );
      await countReturned(
        tx,
        order.id,
        r.lines,
        outcomes.map((o) => ({ productId: o.productId, quantity: o.receivedQuantity })),
      );
      await this.ctx.inventory.restock(
        tx,
        outcomes.map((o) => ({ productId: o.productId, quantity: o.restockedQuantity })),
        actor,
        `return ${r.number}`,
        order.id,
      );
      await returns.setStatus(tx, r.id, 'received');
    });
  }

  close(id: string, actor: Actor, key: string | undefined): Promise<StoredResult<ReturnView>> {
    return this.step(id, actor, key, 'closeReturn', {}, async (tx, r) => {
      assertReturnTransition(r.status, 'closed');
      await returns.setStatus(tx, r.id, 'closed');
    });
  }

  async get(id: string, actor: Actor): Promise<ReturnView> {
    const r = visibleTo(await returns.find(this.ctx.db, id), actor);
    return this.view(this.ctx.db, r);
  }

  /** Newest first; a customer sees only its own returns. */
  async list(query: ReturnQuery, actor: Actor): Promise<Page<ReturnView>> {
    const customerId = isStaff(actor) ? undefined : actor.id;
    const scope = cursorScope(query, { customerId });
    const after = keysetAfter(query.cursor, ['timestamp', 'uuid'], scope);
    const found = await returns.list(this.ctx.db, { ...query, orderId: query.orderId?.toLowerCase(), customerId, after });
    const refunded = await this.ctx.refundedCents(
      this.ctx.db,
      found.map((r) => r.id),
    );
    return toPage(
      found,
      query.limit,
      (r) => toReturnView(r, refunded.get(r.id) ?? 0),
      (r) => [new Date(r.createdAt).toISOString(), r.id],
      scope,
    );
  }

  /** The order's returns, oldest first; 404 when the actor may not see the order. */
  async listForOrder(orderId: string, actor: Actor): Promise<{ items: ReturnView[]; nextCursor: null }> {
    await this.ctx.orders.checkVisible(orderId, actor);
    const found = await returns.listForOrder(this.ctx.db, orderId);
    const refunded = await this.ctx.refundedCents(
      this.ctx.db,
      found.map((r) => r.id),
    );
    return { items: found.map((r) => toReturnView(r, refunded.get(r.id) ?? 0)), nextCursor: null };
  }

  /**
   * A carrier sent a parcel back (`return_to_sender`), inside the webhook's transaction, which holds the
   * order's lock: an `approved` return of the parcel's units (within what may still be returned),
   * origin `carrier`, no refund. Once per shipment (a unique key on it): a second delivery adds nothing.
   */
  async fromReturnedParcel(tx: Tx, parcel: ReturnedParcel): Promise<void> {
    const order = await lockForReturn(tx, parcel.orderId, null);
    const committed = committedOf(order);
    const byProduct = new Map(order.lines.map((l) => [l.productId, l]));
    const lines = parcel.lines.flatMap((p) => {
      const line = byProduct.get(p.productId);
      if (!line) return [];
      const quantity = Math.min(p.quantity, Math.max(0, line.shippedQuantity - (committed.get(p.productId) ?? 0)));
      return quantity > 0
        ? [{ productId: p.productId, sku: line.sku, name: line.name, quantity, reason: 'other' as const, unitGrossCents: grossOfLineUnits(line, 1) }]
        : [];
    });
    if (lines.length === 0) {
      this.ctx.logger.warn({ orderId: parcel.orderId, shipmentId: parcel.shipmentId }, 'a parcel came back whose units are already in returns: no return made');
      return;
    }
    const created = await returns.insert(tx, {
      orderId: order.id,
      orderNumber: order.number,
      customerId: order.customerId,
      status: 'approved',
      origin: 'carrier',
      note: `Pacco rimandato al mittente dal corriere (spedizione ${parcel.trackingCode}).`,
      sourceShipmentId: parcel.shipmentId,
      createdBy: null,
      lines,
    });
    if (!created) return;
    await holdForReturn(tx, order.id, lines, 1);
    await this.announce(tx, created);
  }

  /** One step of a return's life: the order locked, then the return, the change, its event and the answer, under the key. */
  private step(
    id: string,
    actor: Actor,
    key: string | undefined,
    scope: string,
    body: object,
    change: (tx: Tx, r: ReturnWithLines, order: ReturnableOrder) => Promise<void>,
  ): Promise<StoredResult<ReturnView>> {
    const request = { userId: actor.id, scope, key, fingerprint: { id, ...body } };
    return this.ctx.idempotency.run(request, async (tx) => {
      const seen = visibleTo(await returns.find(tx, id), actor);
      const order = await lockForReturn(tx, seen.orderId, actor);
      await returns.lock(tx, id);
      await change(tx, (await returns.find(tx, id)) as ReturnWithLines, order);
      const after = (await returns.find(tx, id)) as ReturnWithLines;
      await this.announce(tx, after);
      return { status: 200, body: await this.view(tx, after) };
    });
  }

  private checkWindow(order: ReturnableOrder): void {
    if (order.status !== 'delivered' || order.deliveredAt === null) {
      throw new ConflictError('order-not-delivered', 'The order is not delivered yet: a return can be asked for once it is.');
    }
    if (Date.now() - order.deliveredAt.getTime() > this.ctx.returnWindowDays * DAY_MS) {
      throw new ConflictError(
        'return-window-closed',
        `The order was delivered on ${order.deliveredAt.toISOString()}: returns are accepted within ${this.ctx.returnWindowDays} days of delivery.`,
        { returnWindowDays: this.ctx.returnWindowDays },
      );
    }
  }

  private async announce(tx: Tx, r: ReturnWithLines): Promise<void> {
    await recordEvent(tx, { type: 'return.updated', customerId: r.customerId, data: toReturnEvent(r) });
  }

  private async view(target: DbTarget, r: ReturnWithLines): Promise<ReturnView> {
    const refunded = await this.ctx.refundedCents(target, [r.id]);
    return toReturnView(r, refunded.get(r.id) ?? 0);
  }
}

/** Per product, the units the order's returns hold: received back (returned) plus asked for by open returns (held). */
function committedOf(order: ReturnableOrder): Map<string, number> {
  return new Map(order.lines.map((l) => [l.productId, l.returnedQuantity + l.returnHeldQuantity]));
}

/** Another customer's return is reported as missing: its existence is not revealed. */
function visibleTo(r: ReturnWithLines | undefined, actor: Actor): ReturnWithLines {
  if (!r || (!isStaff(actor) && r.customerId !== actor.id)) throw new NotFoundError('The return');
  return r;
}

/**
 * The refund link (issue 28): what a refund against a return may reach. `undefined` when the order has
 * no such return; otherwise its status (`received`/`closed`, or `other` while nothing is received) and
 * `proposedCents`, the Σ of its lines' refunds fixed at receipt (see `receive`).
 */
export const returnRefundCeiling = {
  async ceiling(tx: Tx, orderId: string, returnId: string): Promise<{ status: 'received' | 'closed' | 'other'; proposedCents: number } | undefined> {
    const r = await returns.find(tx, returnId);
    if (!r || r.orderId !== orderId) return undefined;
    const status = r.status === 'received' || r.status === 'closed' ? r.status : 'other';
    return { status, proposedCents: proposedCentsOf(r) };
  },
};
