import type { Schemas } from '../platform/http/contract';
import type { EventPayloads } from '../platform/events';
import type { ReturnWithLines } from './return.repository';

export type ReturnView = Schemas['Return'];

/** What the received units of a return are worth: the sum of its lines' refunds, fixed at receipt. */
export function proposedCentsOf(r: ReturnWithLines): number {
  return r.lines.reduce((sum, l) => sum + Number(l.refundCents), 0);
}

/** The one builder of the return view; `refundedCents` comes from payments (refunds made against it that did not fail). */
export function toReturnView(r: ReturnWithLines, refundedCents: number): ReturnView {
  return {
    id: r.id,
    number: r.number,
    orderId: r.orderId,
    orderNumber: r.orderNumber,
    customerId: r.customerId,
    status: r.status,
    origin: r.origin,
    lines: r.lines.map((l) => ({
      productId: l.productId,
      sku: l.sku,
      name: l.name,
      quantity: l.quantity,
      reason: l.reason,
      receivedQuantity: l.receivedQuantity,
      restockedQuantity: l.restockedQuantity,
      scrappedQuantity: l.scrappedQuantity,
      unitGrossCents: Number(l.unitGrossCents),
    })),
    note: r.note,
    rejectReason: r.rejectReason,
    refund: { proposedCents: proposedCentsOf(r), refundedCents },
    createdAt: new Date(r.createdAt).toISOString(),
    updatedAt: new Date(r.updatedAt).toISOString(),
  };
}

/** The `return.updated` payload of the return as it now stands. */
export function toReturnEvent(r: ReturnWithLines): EventPayloads['return.updated'] {
  return {
    returnId: r.id,
    number: r.number,
    orderId: r.orderId,
    status: r.status,
    origin: r.origin,
    lines: r.lines.map((l) => ({ productId: l.productId, quantity: l.quantity, receivedQuantity: l.receivedQuantity, restockedQuantity: l.restockedQuantity })),
    proposedRefundCents: proposedCentsOf(r),
  };
}
