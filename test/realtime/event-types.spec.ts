import { readFileSync } from 'node:fs';
import path from 'node:path';
import { expect } from 'chai';
import { customer, operator, asAdmin } from '../support/api';
import { h } from '../support/hooks';
import { assertMatchesAsyncApi, connectSocket, type TestSocket } from '../support/realtime';
import { recordEvent } from '../../src/platform/events/outbox';
import { CLIENT_EVENT_TYPES, type ClientEventType, type DomainEvent } from '../../src/platform/events/event-types';

/**
 * Who hears each client event type. A `Record` over every type of the AsyncAPI contract: a new
 * message in the contract does not compile here until it says who receives it, and is then tested.
 */
const AUDIENCE: Record<ClientEventType, 'staff' | 'staff and its customer'> = {
  'order.created': 'staff and its customer',
  'order.status_changed': 'staff and its customer',
  'inventory.low_stock': 'staff',
  'inventory.stock_changed': 'staff',
  'payment.updated': 'staff and its customer',
  'refund.updated': 'staff and its customer',
  'shipment.updated': 'staff and its customer',
  'webhook.subscription_disabled': 'staff',
  'email.failed': 'staff',
  'email.resent': 'staff',
  'return.updated': 'staff and its customer',
  'purchase_order.updated': 'staff',
  'catalog.imported': 'staff',
};

/** The `data` of the contract's first example of each message: realistic, and valid by construction. */
function exampleData(type: ClientEventType): unknown {
  const doc = JSON.parse(readFileSync(path.join(__dirname, '../../generated/asyncapi.json'), 'utf8')) as {
    components: { messages: Record<string, { name: string; examples?: { payload: { data: unknown } }[] }> };
  };
  const message = Object.values(doc.components.messages).find((m) => m.name === type);
  const data = message?.examples?.[0]?.payload.data;
  if (data === undefined) throw new Error(`the AsyncAPI message ${type} has no example`);
  return data;
}

describe('real time: every client event type reaches its room', () => {
  const open: TestSocket[] = [];
  afterEach(() => {
    for (const s of open.splice(0)) s.close();
  });

  it('lists every AsyncAPI message in the table', () => {
    expect(Object.keys(AUDIENCE).sort()).to.deep.equal([...CLIENT_EVENT_TYPES].sort());
  });

  for (const type of CLIENT_EVENT_TYPES) {
    it(`emits ${type} to ${AUDIENCE[type]}, matching its AsyncAPI schema`, async () => {
      const [op, buyer, other] = await Promise.all([operator(), customer(), customer()]);
      const admin = { token: await asAdmin() };
      const sockets = await Promise.all([op, admin, buyer, other].map((u) => connectSocket({ token: u.token })));
      open.push(...sockets);
      const [staffSocket, adminSocket, buyerSocket, otherSocket] = sockets as [TestSocket, TestSocket, TestSocket, TestSocket];

      const toCustomer = AUDIENCE[type] === 'staff and its customer';
      const event = { type, data: exampleData(type), customerId: toCustomer ? buyer.id : null } as DomainEvent;
      const id = await h().server.services.sequelize.transaction((tx) => recordEvent(tx, event));
      const isIt = (e: { name: string; payload: { id?: number } }) => e.payload?.id === id;

      for (const socket of toCustomer ? [staffSocket, adminSocket, buyerSocket] : [staffSocket, adminSocket]) {
        const received = await socket.next(isIt, 5000, `${type} #${id}`);
        expect(received.name).to.equal(type);
        expect(received.payload).to.include({ id, type });
        expect(received.payload.data).to.deep.equal(event.data);
        assertMatchesAsyncApi(received);
      }
      // A later event to everyone's room marks the end: whoever had to hear this one has by then.
      const marker = await h().server.services.sequelize.transaction((tx) =>
        recordEvent(tx, { type: 'inventory.stock_changed', data: exampleData('inventory.stock_changed') as never, customerId: other.id }),
      );
      await otherSocket.next((e) => e.payload?.id === marker, 5000, 'the marker event');
      // Sockets are separate connections: give one that should not hear it a moment to prove it.
      await new Promise((resolve) => setTimeout(resolve, 200));
      expect(otherSocket.received.filter(isIt), 'another customer').to.deep.equal([]);
      if (!toCustomer) expect(buyerSocket.received.filter(isIt), 'a customer').to.deep.equal([]);
    });
  }
});
