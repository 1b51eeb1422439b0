import { expect } from 'chai';
import { client } from '../../support/client';
import { createProduct, createUser, customer, ok, placedOrder, type Order, type TestUser } from '../../support/api';
import { query, waitFor } from '../../support/database';
import { h } from '../../support/hooks';
import type { ReceivedMail } from '../../support/smtp';

/** An `email_messages` row as the specs read it. */
export interface MailRow {
  id: string;
  event_id: string | null;
  template: string;
  order_id: string | null;
  user_id: string | null;
  recipient: string;
  subject: string;
  message_id: string;
  status: string;
  skip_reason: string | null;
  attempts: number;
  last_reply: string | null;
  sent_at: Date | null;
}

/** The rows of one order's mails (or of a recipient's), oldest first. */
export async function mailRows(where: { orderId?: string; recipient?: string; template?: string }): Promise<MailRow[]> {
  return query<MailRow>(
    `SELECT * FROM email_messages
      WHERE ($1::uuid IS NULL OR order_id = $1) AND ($2::text IS NULL OR recipient = $2) AND ($3::text IS NULL OR template = $3)
      ORDER BY created_at, id`,
    [where.orderId ?? null, where.recipient ?? null, where.template ?? null],
  );
}

/** Waits until the order's mail of `template` reaches `status` (sent by default), and answers its row. */
export async function mailReaching(orderId: string, template: string, status = 'sent', timeoutMs = 15_000): Promise<MailRow> {
  return waitFor(
    async () => (await mailRows({ orderId, template })).find((r) => r.status === status),
    timeoutMs,
    `the ${template} mail of order ${orderId} ${status}`,
  );
}

/** The mails the suite's SMTP server accepted for `address` whose subject names `orderNumber`. */
export function receivedFor(address: string, orderNumber?: string): ReceivedMail[] {
  return h()
    .smtp.to(address)
    .filter((m) => orderNumber === undefined || (m.parsed.subject ?? '').includes(orderNumber));
}

/** A customer of its own, an operator and a product: a spec's shop. */
export interface MailShop {
  op: TestUser;
  buyer: TestUser;
  order(): Promise<Order>;
  pay(order: Order): Promise<void>;
  ship(order: Order): Promise<void>;
  deliver(order: Order): Promise<void>;
  cancel(order: Order): Promise<void>;
}

export async function openMailShop(): Promise<MailShop> {
  const [op, buyer, product] = await Promise.all([createUser('operator'), customer(), createProduct({ initialStock: 500 })]);
  const api = () => client(op.token);
  const path = (order: Order) => ({ path: { id: order.id } });
  return {
    op,
    buyer,
    order: () => placedOrder(buyer.token, [{ productId: product.id, quantity: 2 }]),
    async pay(order) {
      ok(await api().POST('/api/v1/orders/{id}/payments', { params: path(order), body: { provider: 'manual', reference: `BONIFICO-${order.number}` } }));
    },
    async ship(order) {
      ok(await api().POST('/api/v1/orders/{id}/status', { params: path(order), body: { status: 'in_preparation' } }));
      ok(
        await api().POST('/api/v1/orders/{id}/shipments', {
          params: path(order),
          body: { carrier: 'manual', carrierName: 'BRT', trackingCode: `BRT${Date.now()}` },
        }),
      );
    },
    async deliver(order) {
      ok(await api().POST('/api/v1/orders/{id}/status', { params: path(order), body: { status: 'delivered' } }));
    },
    async cancel(order) {
      const res = await api().POST('/api/v1/orders/{id}/cancel', { params: path(order), body: { reason: 'Richiesta del cliente' } });
      expect(res.response.status, JSON.stringify(res.error)).to.equal(200);
    },
  };
}
