import { randomUUID } from 'node:crypto';
import { ADMIN } from '../../support/hooks';
import { client, type ApiClient } from '../../support/client';
import { startFreshService, type FreshService } from '../../support/fresh-service';

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
  const fresh = await startFreshService({ ...HOOKS_ENV, ...env });
  const login = await client(undefined, fresh.baseUrl).POST('/api/v1/auth/login', { body: ADMIN });
  const admin = client(login.data!.accessToken, fresh.baseUrl);
  const product = await admin.POST('/api/v1/products', { body: { sku: `WH-${randomUUID().slice(0, 8)}`, name: 'Cucitrice da tavolo', unitPriceCents: 1290, initialStock: 100_000 } });
  const buyer = await admin.POST('/api/v1/users', { body: { email: `buyer-${randomUUID()}@hooks.test`, password: 'a long password 123', name: 'Cartoleria Bianchi', role: 'customer' } });
  const productId = product.data!.id;
  const customerId = buyer.data!.id;
  return {
    fresh,
    admin,
    productId,
    async placeOrder() {
      const res = await admin.POST('/api/v1/orders', {
        body: { customerId, items: [{ productId, quantity: 1 }], shippingAddress: { name: 'Cartoleria Bianchi', line1: 'Via Roma 1', city: 'Milano', postalCode: '20121', country: 'IT' } },
      });
      if (!res.data) throw new Error(`order refused: ${JSON.stringify(res.error)}`);
      return res.data.id;
    },
    stop: () => fresh.stop(),
  };
}
