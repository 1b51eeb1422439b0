import { randomUUID } from 'node:crypto';
import type { Db, DbTarget, Tx } from '../platform/db/db';
import { AppError, ConflictError, NotFoundError, ValidationError } from '../platform/errors';
import { cursorScope, keysetAfter, toPage, type Page } from '../platform/http/pagination';
import type { Actor, RequestBody, Schemas } from '../platform/http/contract';
import type { IdempotencyStore, StoredResult } from '../platform/idempotency';
import { recordEvent } from '../platform/events';
import type { InventoryService } from '../inventory';
import type { ProductRecord, ProductsService } from '../products';
import { allows, statusFromCounts, stillExpected, type PurchaseOrderStatus, type PurchaseOrderStep } from './purchase-order-status';
import {
  purchaseOrderRepository as orders,
  type NewLine,
  type PurchaseOrderFilters,
  type PurchaseOrderRecord,
  type ReceiptLineRecord,
} from './purchase-order.repository';
import { supplierRepository as suppliers } from './supplier.repository';
import { purchaseOrderEtag, toPurchaseOrderView, toReceiptView, type ProductInfo, type PurchaseOrderView } from './purchase-order-view';
import { proposeFor, type Proposals } from './proposals';
import { toSupplierView } from './suppliers.service';

type LineInput = { productId: string; quantity: number; unitCostCents: number };

/** A purchase order's answer with the ETag of the version it shows (stored whole under an Idempotency-Key). */
export interface PurchaseOrderWithEtag {
  purchaseOrder: PurchaseOrderView;
  etag: string;
}

export type GoodsReceiptView = Schemas['GoodsReceipt'];
export type AcceptedProposalsView = Schemas['AcceptedProposals'];

export interface PurchaseOrderQuery extends PurchaseOrderFilters {
  limit: number;
  cursor?: string;
}

const STEP_WORDS: Record<PurchaseOrderStep, string> = {
  send: 'be sent',
  cancel: 'be cancelled',
  receive: 'receive goods',
  editLines: 'have its lines changed',
  editDetails: 'be changed',
};

function illegal(o: PurchaseOrderRecord, step: PurchaseOrderStep): AppError {
  const code = step === 'editLines' || step === 'editDetails' ? 'not-editable' : 'illegal-transition';
  return new ConflictError(code, `Purchase order ${o.number} is ${o.status}: it cannot ${STEP_WORDS[step]}.`, { purchaseOrderStatus: o.status });
}

/** Lines naming a product twice: a 400 naming the second. */
function checkDistinct(lines: readonly { productId: string }[]): void {
  const seen = new Set<string>();
  lines.forEach((l, i) => {
    if (seen.has(l.productId)) {
      throw new ValidationError('A product appears on two lines.', [{ path: `body.lines[${i}].productId`, message: 'appears on an earlier line' }]);
    }
    seen.add(l.productId);
  });
}

/** The order's lines with their positions, as the caller listed them. */
const numbered = (purchaseOrderId: string, lines: readonly LineInput[]): NewLine[] => lines.map((l, position) => ({ purchaseOrderId, position, ...l }));

const lower = <T extends { productId: string }>(lines: readonly T[]): T[] => lines.map((l) => ({ ...l, productId: l.productId.toLowerCase() }));

/**
 * Purchase orders from draft to shelf: drafts edited under If-Match, sent (their units become the
 * products' `incoming`), cancelled before anything arrives, and goods received. Every change locks
 * the order's row first (then its products, in id order, through inventory): the status is derived
 * from the lines' counts under that lock, so two receipts at once never receive more than ordered.
 */
export class PurchasingService {
  constructor(
    private readonly db: Db,
    private readonly idempotency: IdempotencyStore,
    private readonly inventory: InventoryService,
    private readonly products: ProductsService,
  ) {}

  async create(input: RequestBody<'createPurchaseOrder'>, actor: Actor, key: string | undefined): Promise<StoredResult<PurchaseOrderWithEtag>> {
    const lines = lower(input.lines);
    checkDistinct(lines);
    return this.idempotency.run({ userId: actor.id, scope: 'createPurchaseOrder', key, fingerprint: input }, async (tx) => {
      const supplierId = input.supplierId.toLowerCase();
      const supplier = await suppliers.find(tx, supplierId);
      if (!supplier || supplier.archived) {
        throw new ValidationError(`No active supplier has the id ${input.supplierId}.`, [
          { path: 'body.supplierId', message: supplier ? 'the supplier is archived' : 'must be an existing supplier' },
        ]);
      }
      await this.checkProducts(tx, lines);
      const [order] = await this.insertDrafts(tx, [{ supplierId, lines, expectedAt: input.expectedAt ?? null, notes: input.notes ?? null }], actor);
      return { status: 201, body: order as PurchaseOrderWithEtag };
    });
  }

  async get(id: string): Promise<PurchaseOrderWithEtag> {
    const order = await orders.find(this.db, id);
    if (!order) throw new NotFoundError('The purchase order');
    return this.withEtag(this.db, order);
  }

  async list(query: PurchaseOrderQuery): Promise<Page<PurchaseOrderView>> {
    const scope = cursorScope(query);
    const after = keysetAfter(query.cursor, ['timestamp', 'uuid'], scope);
    const rows = await orders.page(this.db, { status: query.status, supplierId: query.supplierId }, query.limit, after);
    const info = await this.productInfo(
      this.db,
      rows.flatMap((o) => o.lines.map((l) => l.productId)),
    );
    return toPage(
      rows,
      query.limit,
      (o) => toPurchaseOrderView(o, info),
      (o) => [new Date(o.createdAt).toISOString(), o.id],
      scope,
    );
  }

  /** Optimistic concurrency: the change applies only to the version named by If-Match; lines only while a draft. */
  async update(id: string, ifMatch: string | undefined, patch: RequestBody<'updatePurchaseOrder'>, actor: Actor): Promise<PurchaseOrderWithEtag> {
    if (!ifMatch) throw new AppError('precondition-required', 428, 'Send If-Match with the ETag of the version you are changing.');
    const lines = patch.lines && lower(patch.lines);
    if (lines) checkDistinct(lines);
    return this.db.transaction(async (tx) => {
      const current = await this.lockOrThrow(tx, id);
      const tags = ifMatch.split(',').map((t) => t.trim());
      if (!tags.includes('*') && !tags.includes(purchaseOrderEtag(current))) {
        throw new AppError('precondition-failed', 412, 'The purchase order was changed since you read it; read it again and retry.', {
          extra: { currentEtag: purchaseOrderEtag(current) },
        });
      }
      if (lines && !allows('editLines', current.status)) throw illegal(current, 'editLines');
      if (!allows('editDetails', current.status)) throw illegal(current, 'editDetails');
      if (lines) {
        await this.checkProducts(tx, lines);
        await orders.deleteLines(tx, id);
        await orders.insertLines(tx, numbered(id, lines));
      }
      await orders.update(tx, id, { expectedAt: patch.expectedAt, notes: patch.notes });
      return this.finish(tx, id, current.status, actor, null);
    });
  }

  /** `draft` → `sent`: the lines' units become `incoming` on their products. */
  send(id: string, actor: Actor, key: string | undefined): Promise<StoredResult<PurchaseOrderWithEtag>> {
    return this.idempotency.run({ userId: actor.id, scope: 'sendPurchaseOrder', key, fingerprint: { id } }, async (tx) => {
      const order = await this.lockOrThrow(tx, id);
      if (!allows('send', order.status)) throw illegal(order, 'send');
      await orders.update(tx, id, { status: 'sent', sent: true });
      await this.inventory.adjustIncoming(
        tx,
        order.lines.map((l) => ({ productId: l.productId, delta: l.quantity })),
      );
      return { status: 200, body: await this.finish(tx, id, order.status, actor, null) };
    });
  }

  /** `draft` or `sent` → `cancelled`, never once anything was received; a sent order's units stop being incoming. */
  cancel(id: string, actor: Actor, key: string | undefined): Promise<StoredResult<PurchaseOrderWithEtag>> {
    return this.idempotency.run({ userId: actor.id, scope: 'cancelPurchaseOrder', key, fingerprint: { id } }, async (tx) => {
      const order = await this.lockOrThrow(tx, id);
      if (!allows('cancel', order.status) || order.lines.some((l) => l.receivedQuantity > 0)) throw illegal(order, 'cancel');
      await orders.update(tx, id, { status: 'cancelled', cancelled: true });
      if (order.status === 'sent') {
        await this.inventory.adjustIncoming(
          tx,
          order.lines.map((l) => ({ productId: l.productId, delta: -stillExpected(l) })),
        );
      }
      return { status: 200, body: await this.finish(tx, id, order.status, actor, null) };
    });
  }

  /**
   * A goods receipt, under the order's row lock: every line must be on the order and, unless the body
   * allows an over-receipt, within what the line still expects (409 `over-receipt`, nothing received).
   * The units become `receipt` movements (on hand up) and leave `incoming` (only those still expected);
   * the lines' counts grow and the status is derived from them, all in one transaction.
   */
  receive(id: string, input: RequestBody<'createPurchaseReceipt'>, actor: Actor, key: string | undefined): Promise<StoredResult<GoodsReceiptView>> {
    const asked = lower(input.lines);
    checkDistinct(asked);
    return this.idempotency.run({ userId: actor.id, scope: 'createPurchaseReceipt', key, fingerprint: { id, ...input } }, async (tx) => {
      const order = await this.lockOrThrow(tx, id);
      if (!allows('receive', order.status)) throw illegal(order, 'receive');
      const byProduct = new Map(order.lines.map((l) => [l.productId, l]));
      const received: (ReceiptLineRecord & { incomingDelta: number })[] = asked.map((line, i) => {
        const onOrder = byProduct.get(line.productId);
        if (!onOrder) {
          throw new ValidationError(`Product ${line.productId} is not on purchase order ${order.number}.`, [
            { path: `body.lines[${i}].productId`, message: 'is not on this purchase order' },
          ]);
        }
        const expected = stillExpected(onOrder);
        if (line.quantity > expected && !input.allowOverReceipt) {
          throw new ConflictError(
            'over-receipt',
            `Product ${line.productId} has ${expected} units still expected; ${line.quantity} were received. Nothing was received: send allowOverReceipt to record the excess.`,
            { productId: line.productId, remainingQuantity: expected },
          );
        }
        return {
          productId: line.productId,
          quantity: line.quantity,
          overReceived: Math.max(0, line.quantity - expected),
          incomingDelta: -Math.min(line.quantity, expected),
        };
      });
      await orders.addReceived(tx, id, received);
      const reason = (input.note ? `${order.number}: ${input.note}` : order.number).slice(0, 500);
      await this.inventory.receivePurchase(tx, received, actor, reason);
      const receipt = await orders.insertReceipt(
        tx,
        { id: randomUUID(), purchaseOrderId: id, note: input.note ?? null, allowOverReceipt: input.allowOverReceipt ?? false, actorId: actor.id },
        received.map(({ productId, quantity, overReceived }) => ({ productId, quantity, overReceived })),
      );
      const counts = order.lines.map((l) => ({
        ...l,
        receivedQuantity: l.receivedQuantity + (received.find((r) => r.productId === l.productId)?.quantity ?? 0),
      }));
      await orders.update(tx, id, { status: statusFromCounts(counts) });
      const { purchaseOrder } = await this.finish(tx, id, order.status, actor, receipt.id);
      return { status: 201, body: { receipt: toReceiptView(receipt), purchaseOrder } };
    });
  }

  /** The proposals from low stock, computed now; nothing is written. */
  propose(tx?: Tx): Promise<Proposals> {
    return proposeFor(tx ?? this.db, this.products);
  }

  /** Creates the proposed drafts (of `supplierIds` only, when given) in one transaction. */
  accept(input: RequestBody<'acceptPurchaseOrderProposals'>, actor: Actor, key: string | undefined): Promise<StoredResult<AcceptedProposalsView>> {
    const only = input.supplierIds && new Set(input.supplierIds.map((s) => s.toLowerCase()));
    return this.idempotency.run({ userId: actor.id, scope: 'acceptPurchaseOrderProposals', key, fingerprint: input }, async (tx) => {
      const { proposals, withoutSupplier } = await this.propose(tx);
      const drafts = proposals
        .filter((x) => !only || only.has(x.supplierId))
        .map((p) => ({
          supplierId: p.supplierId,
          lines: p.lines.map((l) => ({ productId: l.productId, quantity: l.quantity, unitCostCents: l.unitCostCents })),
          expectedAt: null,
          notes: null,
        }));
      const made = await this.insertDrafts(tx, drafts, actor);
      return { status: 201, body: { purchaseOrders: made.map((m) => m.purchaseOrder), withoutSupplier } };
    });
  }

  /** Whether any purchase order names the product (products archives such a product instead of deleting it). */
  isProductOnPurchaseOrder(tx: Tx, productId: string): Promise<boolean> {
    return orders.namesProduct(tx, productId);
  }

  /** An order, its supplier and its products' details, for the PDF. */
  async document(id: string): Promise<{ order: PurchaseOrderView; supplier: Schemas['Supplier'] }> {
    const order = await orders.find(this.db, id);
    if (!order) throw new NotFoundError('The purchase order');
    const supplier = await suppliers.find(this.db, order.supplierId);
    if (!supplier) throw new NotFoundError('The supplier');
    const { purchaseOrder } = await this.withEtag(this.db, order);
    return { order: purchaseOrder, supplier: toSupplierView(supplier) };
  }

  /**
   * The drafts' rows, then all their lines in one statement (in product id order, so the products'
   * key-share locks come in the order every other path locks them), then each draft's answer.
   */
  private async insertDrafts(
    tx: Tx,
    drafts: readonly { supplierId: string; lines: LineInput[]; expectedAt: string | null; notes: string | null }[],
    actor: Actor,
  ): Promise<PurchaseOrderWithEtag[]> {
    const ids = drafts.map(() => randomUUID());
    for (const [i, d] of drafts.entries()) {
      await orders.insert(tx, { id: ids[i] as string, supplierId: d.supplierId, expectedAt: d.expectedAt, notes: d.notes, createdBy: actor.id });
    }
    await orders.insertLines(
      tx,
      drafts.flatMap((d, i) => numbered(ids[i] as string, d.lines)),
    );
    const made: PurchaseOrderWithEtag[] = [];
    for (const id of ids) made.push(await this.finish(tx, id, null, actor, null));
    return made;
  }

  /** Every line's product must exist: a 400 naming the first that does not. */
  private async checkProducts(tx: Tx, lines: readonly { productId: string }[]): Promise<void> {
    const found = new Set(
      (
        await this.products.findMany(
          lines.map((l) => l.productId),
          tx,
        )
      ).map((p) => p.id),
    );
    const i = lines.findIndex((l) => !found.has(l.productId));
    if (i >= 0) {
      throw new ValidationError(`No product has the id ${lines[i]?.productId}.`, [
        { path: `body.lines[${i}].productId`, message: 'must be an existing product' },
      ]);
    }
  }

  private async lockOrThrow(tx: Tx, id: string): Promise<PurchaseOrderRecord> {
    const order = await orders.lock(tx, id);
    if (!order) throw new NotFoundError('The purchase order');
    return order;
  }

  /** Reads the order back (still under its lock), writes `purchase_order.updated` and builds the answer once. */
  private async finish(tx: Tx, id: string, from: PurchaseOrderStatus | null, actor: Actor, receiptId: string | null): Promise<PurchaseOrderWithEtag> {
    const order = (await orders.find(tx, id)) as PurchaseOrderRecord;
    await recordEvent(tx, {
      type: 'purchase_order.updated',
      data: {
        purchaseOrderId: order.id,
        number: order.number,
        supplierId: order.supplierId,
        from,
        to: order.status,
        actorId: actor.id,
        actorRole: actor.role,
        receiptId,
        lines: order.lines.map((l) => ({ productId: l.productId, quantity: l.quantity, receivedQuantity: l.receivedQuantity })),
      },
    });
    return this.withEtag(tx, order);
  }

  private async withEtag(target: DbTarget, order: PurchaseOrderRecord): Promise<PurchaseOrderWithEtag> {
    const info = await this.productInfo(
      target,
      order.lines.map((l) => l.productId),
    );
    return { purchaseOrder: toPurchaseOrderView(order, info), etag: purchaseOrderEtag(order) };
  }

  private async productInfo(target: DbTarget, ids: readonly string[]): Promise<Map<string, ProductInfo>> {
    const rows: ProductRecord[] = await this.products.findMany(ids, target);
    return new Map(rows.map((p) => [p.id, p]));
  }
}
