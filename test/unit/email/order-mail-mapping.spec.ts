import { expect } from 'chai';
import { orderMailOf } from '../../../src/email/order-mails';
import type { QuickStockEvent } from '../../../src/platform/events';
import type { OrderStatusChangedData, ReturnUpdatedData } from '../../../generated/asyncapi';
import type { ReturnDesk } from '../../../src/email/templates';

const ORDER = '3b9d2f61-5c1e-4e8a-9f47-0a6b8c2d1e35';
const SHIPMENT = 'a8f2d6c4-1e9b-4d7a-b3c5-6e0f2a8d4b19';
const DESK: ReturnDesk = { warehouse: null, returnWindowDays: 30 };

function returnUpdated(status: ReturnUpdatedData['status'], origin: ReturnUpdatedData['origin']): QuickStockEvent {
  return {
    id: 2,
    type: 'return.updated',
    occurredAt: '2026-12-05T10:00:00.000Z',
    data: {
      returnId: SHIPMENT,
      number: 'R-2026-000042',
      orderId: ORDER,
      status,
      origin,
      lines: [{ productId: '3f6c1b9e-8d2a-4c7e-9b1f-5a2d7e4c8b10', quantity: 3, receivedQuantity: 0, restockedQuantity: 0 }],
      proposedRefundCents: 0,
    },
  };
}

function statusChanged(from: OrderStatusChangedData['from'], to: OrderStatusChangedData['to'], shipmentId: string | null): QuickStockEvent {
  return {
    id: 1,
    type: 'order.status_changed',
    occurredAt: '2026-12-01T14:05:00.000Z',
    data: {
      orderId: ORDER,
      number: 'QS-2026-000123',
      customerId: '9d4b7e2a-3c6f-4a1d-8e5b-2f7c0a9d6e13',
      from,
      to,
      actorId: null,
      actorRole: 'operator',
      reason: null,
      lines: [{ productId: '3f6c1b9e-8d2a-4c7e-9b1f-5a2d7e4c8b10', quantity: 10, shippedQuantity: 4, cancelledQuantity: 0 }],
      shipmentId,
    },
  };
}

describe('order mails of the fulfilment events (unit)', () => {
  it('sends one order_shipped mail per shipment recorded, also when the order stays partly shipped', () => {
    for (const [from, to] of [
      ['in_preparation', 'partially_shipped'],
      ['partially_shipped', 'partially_shipped'],
      ['partially_shipped', 'shipped'],
      ['in_preparation', 'shipped'],
    ] as const) {
      expect(orderMailOf(statusChanged(from, to, SHIPMENT), DESK)?.template, `${from} -> ${to}`).to.equal('order_shipped');
    }
  });

  it('sends no shipped mail for a cancelled shipment or the rest cancelled', () => {
    expect(orderMailOf(statusChanged('shipped', 'partially_shipped', SHIPMENT), DESK)).to.equal(null);
    expect(orderMailOf(statusChanged('partially_shipped', 'in_preparation', SHIPMENT), DESK)).to.equal(null);
    expect(orderMailOf(statusChanged('partially_shipped', 'shipped', null), DESK)).to.equal(null);
  });

  it('sends the delivered mail when the last shipment arrives, and one refund mail per refund that succeeded', () => {
    expect(orderMailOf(statusChanged('shipped', 'delivered', SHIPMENT), DESK)?.template).to.equal('order_delivered');
    const refund = (status: 'pending' | 'succeeded' | 'failed'): QuickStockEvent => ({
      id: 2,
      type: 'refund.updated',
      occurredAt: '2026-12-03T10:00:01.000Z',
      data: {
        refundId: SHIPMENT,
        orderId: ORDER,
        paymentId: SHIPMENT,
        amountCents: 3287,
        status,
        reason: "resto dell'ordine annullato",
        returnId: null,
        failureReason: status === 'failed' ? 'refund refused' : null,
        paymentRefundedCents: status === 'failed' ? 0 : 3287,
        balanceCents: status === 'failed' ? 8626 : 5339,
      },
    });
    expect(orderMailOf(refund('succeeded'), DESK)?.template).to.equal('refund_made');
    expect(orderMailOf(refund('pending'), DESK)).to.equal(null);
    expect(orderMailOf(refund('failed'), DESK)).to.equal(null);
    // The payment's own event no longer mails: the refund's does, once per refund.
    const payment: QuickStockEvent = {
      id: 3,
      type: 'payment.updated',
      occurredAt: '2026-12-03T10:00:01.000Z',
      data: {
        paymentId: SHIPMENT,
        orderId: ORDER,
        provider: 'stripe',
        status: 'partially_refunded',
        amountCents: 8626,
        refundedCents: 3287,
        failureReason: null,
      },
    };
    expect(orderMailOf(payment, DESK)).to.equal(null);
  });

  it('sends "Reso autorizzato" for a return approved, but not for a parcel the carrier sent back, nor for any other return status', () => {
    expect(orderMailOf(returnUpdated('approved', 'customer'), DESK)?.template).to.equal('return_authorized');
    expect(orderMailOf(returnUpdated('approved', 'staff'), DESK)?.template).to.equal('return_authorized');
    expect(orderMailOf(returnUpdated('approved', 'carrier'), DESK)).to.equal(null);
    for (const status of ['requested', 'rejected', 'received', 'closed', 'cancelled'] as const) {
      expect(orderMailOf(returnUpdated(status, 'customer'), DESK), status).to.equal(null);
    }
  });
});
