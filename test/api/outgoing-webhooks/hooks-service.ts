import { randomUUID } from 'node:crypto';
import { expect } from 'chai';
import type { components } from '../../../generated/openapi';
import { ADMIN } from '../../support/hooks';
import { client, type ApiClient } from '../../support/client';
import { startServiceProcess, type FreshService } from '../../support/services';
import { Receiver } from './receiver';

/** Settings compressed for tests: millisecond retries, a short timeout, a 2-second "disable after" window. */
export const HOOKS_ENV: Record<string, string> = {
  ADMIN_EMAIL: ADMIN.email,
  ADMIN_PASSWORD: ADMIN.password,
  WEBHOOK_ALLOWED_CIDRS: '127.0.0.1/32',
  WEBHOOK_RETRY_SCHEDULE_MS: Array.from({ length: 40 }, () => '100').join(','),
  WEBHOOK_TIMEOUT_MS: '400',
  WEBHOOK_POLL_MS: '50',
  WEBHOOK_DISABLE_AFTER_HOURS: '0.0006',
  // The service runs in its own process: its housekeeper passes every second (the purge test waits for one).
  HOUSEKEEPING_INTERVAL_MS: '1000',
};

export interface HooksShop {
  fresh: FreshService;
  admin: ApiClient;
  /** Places an order (admin on behalf of a customer) and returns its id. */
  placeOrder(): Promise<string>;
  productId: string;
  stop(): Promise<void>;
}

/** A service on its own database with the compressed settings, an admin client and a product to order. */
export async function startHooksShop(env: Record<string, string> = {}): Promise<HooksShop> {
  const fresh = await startServiceProcess({ env: { ...HOOKS_ENV, ...env } });
  const login = await client(undefined, fresh.baseUrl).POST('/api/v1/auth/login', { body: ADMIN });
  const admin = client(login.data!.accessToken, fresh.baseUrl);
  const product = await admin.POST('/api/v1/products', {
    body: { sku: `WH-${randomUUID().slice(0, 8)}`, name: 'Cucitrice da tavolo', unitPriceCents: 1290, initialStock: 100_000 },
  });
  const buyer = await admin.POST('/api/v1/users', {
    body: { email: `buyer-${randomUUID()}@hooks.test`, password: 'a long password 123', name: 'Cartoleria Bianchi', role: 'customer' },
  });
  const productId = product.data!.id;
  const customerId = buyer.data!.id;
  return {
    fresh,
    admin,
    productId,
    async placeOrder() {
      const res = await admin.POST('/api/v1/orders', {
        body: {
          customerId,
          items: [{ productId, quantity: 1 }],
          shippingAddress: { name: 'Cartoleria Bianchi', line1: 'Via Roma 1', city: 'Milano', postalCode: '20121', country: 'IT' },
        },
      });
      if (!res.data) throw new Error(`order refused: ${JSON.stringify(res.error)}`);
      return res.data.id;
    },
    stop: () => fresh.stop(),
  };
}

type EventType = components['schemas']['WebhookEventType'];
type CreatedSubscription = components['schemas']['WebhookSubscriptionWithSecret'];

export interface HooksFixture {
  /** The file's service (started once, in `before`). */
  readonly shop: HooksShop;
  /** This test's receiver (a new one per test, stopped after it). */
  readonly receiver: Receiver;
  /** Subscribes this test's receiver (201 expected) and answers the subscription with its secret. */
  subscribe(eventTypes?: EventType[], description?: string): Promise<CreatedSubscription>;
}

/**
 * The webhook specs' shared setup, registered in the calling `describe`: one service for the file
 * (`env` over the compressed settings), a fresh receiver per test, and after each test every
 * subscription deleted, so the next test's orders reach only its own.
 */
export function useHooksShop(env: Record<string, string> = {}): HooksFixture {
  let shop: HooksShop | undefined;
  let receiver: Receiver | undefined;
  before(async () => {
    shop = await startHooksShop(env);
  });
  after(async () => {
    await shop?.stop();
  });
  beforeEach(async () => {
    receiver = await new Receiver().start();
  });
  afterEach(async () => {
    if (shop) {
      const list = await shop.admin.GET('/api/v1/webhook-subscriptions', { params: { query: { limit: 100 } } });
      for (const s of list.data?.items ?? []) await shop.admin.DELETE('/api/v1/webhook-subscriptions/{id}', { params: { path: { id: s.id } } });
    }
    await receiver?.stop();
  });
  const fixture: HooksFixture = {
    get shop() {
      if (!shop) throw new Error('the hooks shop is not started (use it inside a test)');
      return shop;
    },
    get receiver() {
      if (!receiver) throw new Error('no receiver outside a test');
      return receiver;
    },
    async subscribe(eventTypes = ['order.created'], description) {
      const res = await fixture.shop.admin.POST('/api/v1/webhook-subscriptions', {
        body: { url: fixture.receiver.url, eventTypes, ...(description === undefined ? {} : { description }) },
      });
      expect(res.response.status, JSON.stringify(res.error)).to.equal(201);
      return res.data!;
    },
  };
  return fixture;
}
