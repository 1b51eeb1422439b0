import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { expect } from 'chai';
import createClient from 'openapi-fetch';
import type { paths } from '../../../generated/openapi';
import { ADMIN, providerEnv } from '../../support/hooks';
import { FakeStripe } from '../../support/fakes/stripe.fake';
import { FakeEasyPost } from '../../support/fakes/easypost.fake';
import { printedSetupLink, startServiceProcess, type FreshService } from '../../support/services';
import { Receiver } from '../outgoing-webhooks/receiver';

/**
 * No request may hold a pool connection while it waits for another: with DB_POOL_MAX=1 such a
 * request waits for itself until the pool's acquire timeout (10 s) and fails. Every write path runs
 * here against a service whose pool has one connection, each answering well within that. The
 * service is a child process on its own database (services.ts startServiceProcess): a second service in the suite's
 * process would leave the model classes bound to the suite's pool, so a model query that forgot its
 * transaction would quietly take a connection from the other pool and never show here. The
 * service's background work (event dispatch, stock figures, expiry, webhook fan-out and delivery,
 * refund retries, housekeeping) runs meanwhile on the same connection: it may wait, never stall.
 */
const WITHIN_MS = 5_000;

type Api = ReturnType<typeof createClient<paths>>;

/** The typed client, every request bounded: a request stuck on the pool fails the test by its name. */
function api(baseUrl: string, token?: string): Api {
  return createClient<paths>({
    baseUrl,
    headers: token ? { authorization: `Bearer ${token}` } : {},
    fetch: async (request: Request) => {
      const started = Date.now();
      try {
        return await fetch(request, { signal: AbortSignal.timeout(WITHIN_MS) });
      } catch (err) {
        if ((err as Error).name === 'TimeoutError')
          throw new Error(`${request.method} ${new URL(request.url).pathname} did not answer within ${WITHIN_MS} ms (pool of one)`);
        throw err;
      } finally {
        const took = Date.now() - started;
        if (took >= WITHIN_MS) throw new Error(`${request.method} ${request.url} took ${took} ms`);
      }
    },
  });
}

function status(res: { response: Response }): number {
  return res.response.status;
}

const ADDRESS = { name: 'Cartoleria Bianchi', line1: 'Via Roma 1', city: 'Milano', postalCode: '20121', country: 'IT' };
const POOL_OF_ONE = { DB_POOL_MAX: '1' };

async function eventually(check: () => Promise<boolean>, what: string, timeoutMs = WITHIN_MS): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`${what} did not happen within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

describe('a service with a pool of one connection answers every write', function () {
  this.timeout(60_000);
  let svc: FreshService;
  let admin: Api;
  const receiver = new Receiver();
  const stripe = new FakeStripe(); // signs events only: the child answers with its own fakes
  const easypost = new FakeEasyPost();

  before(async function () {
    this.timeout(120_000);
    await receiver.start();
    svc = await startServiceProcess({
      fakes: true,
      env: {
        ...providerEnv,
        ...POOL_OF_ONE,
        ADMIN_EMAIL: ADMIN.email,
        ADMIN_PASSWORD: ADMIN.password,
        // On, so that placement takes the customer's placement lock and counts (never reached here).
        MAX_OPEN_UNPAID_ORDERS_PER_CUSTOMER: '100',
        LOG_LEVEL: 'warn',
        SWEEPER_INTERVAL_MS: '200',
        EVENT_DISPATCH_POLL_MS: '100',
        HOUSEKEEPING_INTERVAL_MS: '1000',
        WEBHOOK_ALLOWED_CIDRS: '127.0.0.1/32',
        WEBHOOK_POLL_MS: '50',
        WEBHOOK_TIMEOUT_MS: '1000',
      },
    });
    const login = await api(svc.baseUrl).POST('/api/v1/auth/login', { body: ADMIN });
    expect(status(login)).to.equal(200);
    admin = api(svc.baseUrl, login.data!.accessToken);
  });
  after(async () => {
    await svc?.stop();
    await receiver.stop();
  });
  // A path that waits for a second connection keeps the only one until the pool gives up (10 s):
  // the next test starts once the service is ready again, so that it fails only for its own paths.
  beforeEach(async function () {
    this.timeout(30_000);
    await eventually(async () => (await fetch(`${svc.baseUrl}/health/ready`, { signal: AbortSignal.timeout(15_000) })).ok, 'a ready service', 25_000);
  });

  const one = async <T>(sql: string, values: unknown[] = []): Promise<T> => (await svc.db.query(sql, values)).rows[0] as T;

  async function product(initialStock = 100): Promise<{ id: string; etag: string }> {
    const created = await admin.POST('/api/v1/products', {
      body: { sku: `P1-${randomUUID().slice(0, 8)}`, name: 'Risma di carta A4', unitPriceCents: 450, initialStock },
    });
    expect(status(created), JSON.stringify(created.error)).to.equal(201);
    return { id: created.data!.id, etag: created.response.headers.get('etag')! };
  }

  async function customer(): Promise<{ id: string; token: string; refreshToken: string; email: string; password: string }> {
    const email = `buyer-${randomUUID()}@pool.test`;
    const password = 'a long password 123';
    const registered = await api(svc.baseUrl).POST('/api/v1/auth/register', { body: { email, password, name: 'Cartoleria Bianchi' } });
    expect(status(registered), JSON.stringify(registered.error)).to.equal(201);
    const login = await api(svc.baseUrl).POST('/api/v1/auth/login', { body: { email, password } });
    expect(status(login)).to.equal(200);
    return { id: registered.data!.id, token: login.data!.accessToken, refreshToken: login.data!.refreshToken, email, password };
  }

  async function order(customerId: string, productId: string, quantity = 1): Promise<string> {
    const placed = await admin.POST('/api/v1/orders', { body: { customerId, items: [{ productId, quantity }], shippingAddress: ADDRESS } });
    expect(status(placed), JSON.stringify(placed.error)).to.equal(201);
    return placed.data!.id;
  }

  async function orderStatus(id: string): Promise<string> {
    return (await one<{ status: string }>('SELECT status FROM orders WHERE id = $1', [id])).status;
  }

  it('registers, signs in, refreshes and signs out', async () => {
    const buyer = await customer();
    const refreshed = await api(svc.baseUrl).POST('/api/v1/auth/refresh', { body: { refreshToken: buyer.refreshToken } });
    expect(status(refreshed), JSON.stringify(refreshed.error)).to.equal(200);
    const rows = (await svc.db.query('SELECT rotated_at, revoked_at FROM refresh_tokens WHERE user_id = $1 ORDER BY created_at', [buyer.id])).rows;
    expect(rows).to.have.length(2);
    expect(rows[0].rotated_at).to.be.instanceOf(Date);

    const out = await api(svc.baseUrl, refreshed.data!.accessToken).POST('/api/v1/auth/logout', { body: { refreshToken: refreshed.data!.refreshToken } });
    expect(status(out)).to.equal(204);
    const live = await one<{ n: number }>('SELECT count(*)::int AS n FROM refresh_tokens WHERE user_id = $1 AND revoked_at IS NULL', [buyer.id]);
    expect(live.n).to.equal(0);
  });

  it('creates, changes, disables and re-passwords a user', async () => {
    const created = await admin.POST('/api/v1/users', {
      body: { email: `op-${randomUUID()}@pool.test`, password: 'a long password 123', name: 'Magazzino', role: 'operator' },
    });
    expect(status(created)).to.equal(201);
    const id = created.data!.id;
    const patched = await admin.PATCH('/api/v1/users/{id}', { params: { path: { id } }, body: { name: 'Magazzino Nord', disabled: true } });
    expect(status(patched)).to.equal(200);
    const password = await admin.POST('/api/v1/users/{id}/password', { params: { path: { id } }, body: { password: 'another long password 456' } });
    expect(status(password)).to.equal(204);
    expect(await one('SELECT name, disabled, token_version FROM users WHERE id = $1', [id])).to.deep.equal({
      name: 'Magazzino Nord',
      disabled: true,
      token_version: 2,
    });
  });

  it('changes its own password, sets its order mails, asks for a reset link and sets a password with it', async () => {
    const buyer = await customer();
    const changed = await api(svc.baseUrl, buyer.token).POST('/api/v1/auth/password', {
      body: { currentPassword: buyer.password, newPassword: 'another long password 456' },
    });
    expect(status(changed), JSON.stringify(changed.error)).to.equal(200);
    const me = await api(svc.baseUrl, changed.data!.accessToken).PATCH('/api/v1/auth/me', { body: { orderEmails: false } });
    expect(status(me), JSON.stringify(me.error)).to.equal(200);
    const asked = await api(svc.baseUrl).POST('/api/v1/auth/password-reset', { body: { email: buyer.email } });
    expect(status(asked)).to.equal(202);
    expect(await one('SELECT count(*)::int AS n FROM password_reset_tokens WHERE user_id = $1', [buyer.id])).to.deep.equal({ n: 1 });
    // The mailed token is not readable here (stored as a hash): one of the test's own, stored the same way.
    const token = randomBytes(32).toString('base64url');
    await svc.db.query("INSERT INTO password_reset_tokens (user_id, token_hash, expires_at) VALUES ($1, $2, now() + interval '30 minutes')", [
      buyer.id,
      createHash('sha256').update(token).digest('hex'),
    ]);
    const confirmed = await api(svc.baseUrl).POST('/api/v1/auth/password-reset/confirm', { body: { token, newPassword: 'a third long password 789' } });
    expect(status(confirmed), JSON.stringify(confirmed.error)).to.equal(204);
    expect(await one("SELECT count(*)::int AS n FROM email_messages WHERE user_id = $1 AND template = 'password_changed'", [buyer.id])).to.deep.equal({ n: 2 });
  });

  it('creates, changes, moves stock of, archives and deletes products', async () => {
    const p = await product(10);
    const patched = await admin.PATCH('/api/v1/products/{id}', {
      params: { path: { id: p.id }, header: { 'If-Match': p.etag } },
      body: { unitPriceCents: 500, reorderLevel: 20 },
    });
    expect(status(patched), JSON.stringify(patched.error)).to.equal(200);
    const moved = await admin.POST('/api/v1/products/{id}/stock-movements', {
      params: { path: { id: p.id } },
      body: { type: 'receipt', delta: 5, reason: 'DDT 12' },
    });
    expect(status(moved)).to.equal(201);
    expect(await one('SELECT on_hand, unit_price_cents FROM products WHERE id = $1', [p.id])).to.deep.equal({ on_hand: 15, unit_price_cents: 500 });

    const buyer = await customer();
    await order(buyer.id, p.id);
    expect(status(await admin.DELETE('/api/v1/products/{id}', { params: { path: { id: p.id } } }))).to.equal(204);
    expect(await one('SELECT active FROM products WHERE id = $1', [p.id])).to.deep.equal({ active: false });
    const unordered = await product(0);
    expect(status(await admin.DELETE('/api/v1/products/{id}', { params: { path: { id: unordered.id } } }))).to.equal(204);
    expect(await one('SELECT count(*)::int AS n FROM products WHERE id = $1', [unordered.id])).to.deep.equal({ n: 0 });
  });

  it('adds and changes a supplier, drafts, edits, sends, receives and cancels purchase orders, proposes and accepts drafts, and renders the PDF', async () => {
    const created = await admin.POST('/api/v1/suppliers', {
      body: { name: 'Cartiera Pool', vatNumber: 'IT01234567897' },
      headers: { 'idempotency-key': randomUUID() },
    });
    expect(status(created), JSON.stringify(created.error)).to.equal(201);
    const supplierId = created.data!.id;
    expect(status(await admin.PATCH('/api/v1/suppliers/{id}', { params: { path: { id: supplierId } }, body: { leadTimeDays: 4 } }))).to.equal(200);
    const p = await product(1);
    const low = await admin.PATCH('/api/v1/products/{id}', {
      params: { path: { id: p.id }, header: { 'If-Match': p.etag } },
      body: { supplierId, reorderLevel: 5, reorderQuantity: 8 },
    });
    expect(status(low), JSON.stringify(low.error)).to.equal(200);

    const draft = await admin.POST('/api/v1/purchase-orders', {
      body: { supplierId, lines: [{ productId: p.id, quantity: 4, unitCostCents: 100 }] },
      headers: { 'idempotency-key': randomUUID() },
    });
    expect(status(draft), JSON.stringify(draft.error)).to.equal(201);
    const id = draft.data!.id;
    const edited = await admin.PATCH('/api/v1/purchase-orders/{id}', {
      params: { path: { id }, header: { 'If-Match': draft.response.headers.get('etag')! } },
      body: { lines: [{ productId: p.id, quantity: 6, unitCostCents: 90 }] },
    });
    expect(status(edited), JSON.stringify(edited.error)).to.equal(200);
    expect(status(await admin.POST('/api/v1/purchase-orders/{id}/send', { params: { path: { id } }, headers: { 'idempotency-key': randomUUID() } }))).to.equal(
      200,
    );
    const received = await admin.POST('/api/v1/purchase-orders/{id}/receipts', {
      params: { path: { id } },
      body: { lines: [{ productId: p.id, quantity: 6 }] },
      headers: { 'idempotency-key': randomUUID() },
    });
    expect(status(received), JSON.stringify(received.error)).to.equal(201);
    expect(await one('SELECT on_hand, incoming FROM products WHERE id = $1', [p.id])).to.deep.equal({ on_hand: 7, incoming: 0 });
    const pdf = await fetch(`${svc.baseUrl}/api/v1/purchase-orders/${id}/pdf`, {
      headers: { authorization: `Bearer ${(await api(svc.baseUrl).POST('/api/v1/auth/login', { body: ADMIN })).data!.accessToken}` },
      signal: AbortSignal.timeout(WITHIN_MS),
    });
    expect(pdf.status).to.equal(200);

    // Low again (an order takes 5): proposed, accepted as a draft, which is then cancelled.
    const buyer = await customer();
    await order(buyer.id, p.id, 5);
    const proposed = await admin.POST('/api/v1/purchase-orders/proposals', {});
    expect(status(proposed), JSON.stringify(proposed.error)).to.equal(200);
    const accepted = await admin.POST('/api/v1/purchase-orders/proposals/accept', {
      body: { supplierIds: [supplierId] },
      headers: { 'idempotency-key': randomUUID() },
    });
    expect(status(accepted), JSON.stringify(accepted.error)).to.equal(201);
    const again = accepted.data!.purchaseOrders[0]!.id;
    expect(
      status(await admin.POST('/api/v1/purchase-orders/{id}/cancel', { params: { path: { id: again } }, headers: { 'idempotency-key': randomUUID() } })),
    ).to.equal(200);
    expect(await one('SELECT status FROM purchase_orders WHERE id = $1', [again])).to.deep.equal({ status: 'cancelled' });
  });

  it('places an order with an Idempotency-Key (and replays it), as a customer, and cancels it', async () => {
    const p = await product();
    const buyer = await customer();
    const key = randomUUID();
    const body = { items: [{ productId: p.id, quantity: 2 }], shippingAddress: ADDRESS };
    const first = await api(svc.baseUrl, buyer.token).POST('/api/v1/orders', { body, headers: { 'idempotency-key': key } });
    expect(status(first), JSON.stringify(first.error)).to.equal(201);
    const again = await api(svc.baseUrl, buyer.token).POST('/api/v1/orders', { body, headers: { 'idempotency-key': key } });
    expect(status(again)).to.equal(201);
    expect(again.data!.id).to.equal(first.data!.id);
    const cancelled = await api(svc.baseUrl, buyer.token).POST('/api/v1/orders/{id}/cancel', {
      params: { path: { id: first.data!.id } },
      body: { reason: 'Ordine duplicato' },
    });
    expect(status(cancelled)).to.equal(200);
    expect(await orderStatus(first.data!.id)).to.equal('cancelled');
    expect(await one('SELECT reserved FROM products WHERE id = $1', [p.id])).to.deep.equal({ reserved: 0 });
  });

  it('pays manually, prepares, ships manually, delivers and cancels a paid order with its refund', async () => {
    const p = await product();
    const buyer = await customer();
    const id = await order(buyer.id, p.id);
    const paid = await admin.POST('/api/v1/orders/{id}/payments', {
      params: { path: { id } },
      body: { provider: 'manual', reference: 'Bonifico' },
      headers: { 'idempotency-key': randomUUID() },
    });
    expect(status(paid), JSON.stringify(paid.error)).to.equal(201);
    expect(status(await admin.POST('/api/v1/orders/{id}/status', { params: { path: { id } }, body: { status: 'in_preparation' } }))).to.equal(200);
    const shipped = await admin.POST('/api/v1/orders/{id}/shipments', {
      params: { path: { id } },
      body: { carrier: 'manual', carrierName: 'BRT', trackingCode: '084512367890123' },
      headers: { 'idempotency-key': randomUUID() },
    });
    expect(status(shipped), JSON.stringify(shipped.error)).to.equal(201);
    expect(status(await admin.POST('/api/v1/orders/{id}/status', { params: { path: { id } }, body: { status: 'delivered' } }))).to.equal(200);
    expect(await orderStatus(id)).to.equal('delivered');

    const second = await order(buyer.id, p.id);
    expect(status(await admin.POST('/api/v1/orders/{id}/payments', { params: { path: { id: second } }, body: { provider: 'manual' } }))).to.equal(201);
    const cancelled = await admin.POST('/api/v1/orders/{id}/status', { params: { path: { id: second } }, body: { status: 'cancelled', reason: 'Cliente' } });
    expect(status(cancelled)).to.equal(200);
    expect(await orderStatus(second)).to.equal('cancelled');
    await eventually(
      async () =>
        (await one<{ status: string }>('SELECT r.status FROM refunds r JOIN payments p ON p.id = r.payment_id WHERE p.order_id = $1', [second])).status ===
        'succeeded',
      'the refund',
    );
  });

  it('pays with Stripe and takes its webhook; cancels with a refund at Stripe', async () => {
    const p = await product();
    const buyer = await customer();
    const id = await order(buyer.id, p.id);
    const paid = await api(svc.baseUrl, buyer.token).POST('/api/v1/orders/{id}/payments', {
      params: { path: { id } },
      body: { provider: 'stripe' },
      headers: { 'idempotency-key': randomUUID() },
    });
    expect(status(paid), JSON.stringify(paid.error)).to.equal(201);
    const intent = paid.data!.reference!;
    // Another attempt while it is pending resumes it (the provider is asked, the answer stored).
    const resumed = await api(svc.baseUrl, buyer.token).POST('/api/v1/orders/{id}/payments', {
      params: { path: { id } },
      body: { provider: 'stripe' },
      headers: { 'idempotency-key': randomUUID() },
    });
    expect(status(resumed), JSON.stringify(resumed.error)).to.equal(200);
    expect(resumed.data!.id).to.equal(paid.data!.id);
    const event = stripe.succeeded(intent);
    const deliver = () =>
      api(svc.baseUrl).POST('/api/v1/webhooks/payments/stripe', {
        params: { header: { 'Stripe-Signature': event.signature } },
        body: {},
        bodySerializer: () => event.rawBody,
        headers: { 'content-type': 'application/json' },
      });
    const hook = await deliver();
    expect(status(hook), JSON.stringify(hook.error)).to.equal(200);
    expect(hook.data).to.include({ duplicate: false, outcome: 'order-paid' });
    expect(await orderStatus(id)).to.equal('paid');
    const again = await deliver();
    expect(status(again)).to.equal(200);
    expect(again.data).to.include({ duplicate: true, outcome: 'order-paid' });
    const cancelled = await admin.POST('/api/v1/orders/{id}/cancel', { params: { path: { id } }, body: {} });
    expect(status(cancelled)).to.equal(200);
    await eventually(
      async () => (await one<{ status: string }>('SELECT status FROM payments WHERE order_id = $1', [id])).status === 'refunded',
      'the Stripe refund',
    );
  });

  it('ships with EasyPost and takes its tracker webhook', async () => {
    const p = await product();
    const buyer = await customer();
    const id = await order(buyer.id, p.id);
    expect(status(await admin.POST('/api/v1/orders/{id}/payments', { params: { path: { id } }, body: { provider: 'manual' } }))).to.equal(201);
    expect(status(await admin.POST('/api/v1/orders/{id}/status', { params: { path: { id } }, body: { status: 'in_preparation' } }))).to.equal(200);
    const shipped = await admin.POST('/api/v1/orders/{id}/shipments', {
      params: { path: { id } },
      body: { carrier: 'easypost', parcel: { weightGrams: 1200 } },
      headers: { 'idempotency-key': randomUUID() },
    });
    expect(status(shipped), JSON.stringify(shipped.error)).to.equal(201);
    const stored = await one<{ provider_shipment_id: string; tracking_code: string }>(
      'SELECT provider_shipment_id, tracking_code FROM shipments WHERE order_id = $1',
      [id],
    );
    const event = easypost.trackerEvent({ id: stored.provider_shipment_id, tracking_code: stored.tracking_code }, 'delivered');
    const hook = await api(svc.baseUrl).POST('/api/v1/webhooks/shipping/easypost', {
      params: { header: { 'X-Hmac-Signature': event.signature } },
      body: {},
      bodySerializer: () => event.rawBody,
      headers: { 'content-type': 'application/json' },
    });
    expect(status(hook), JSON.stringify(hook.error)).to.equal(200);
    expect(hook.data).to.include({ outcome: 'order-delivered' });
    expect(await orderStatus(id)).to.equal('delivered');
  });

  it('ships part of an order (manual and EasyPost), cancels a shipment (its label refunded) and cancels the rest with its refund', async () => {
    const p = await product();
    const buyer = await customer();
    const id = await order(buyer.id, p.id, 6);
    expect(status(await admin.POST('/api/v1/orders/{id}/payments', { params: { path: { id } }, body: { provider: 'manual' } }))).to.equal(201);
    expect(status(await admin.POST('/api/v1/orders/{id}/status', { params: { path: { id } }, body: { status: 'in_preparation' } }))).to.equal(200);
    const manual = await admin.POST('/api/v1/orders/{id}/shipments', {
      params: { path: { id } },
      body: { carrier: 'manual', carrierName: 'BRT', trackingCode: 'POOL-1', lines: [{ productId: p.id, quantity: 2 }] },
      headers: { 'idempotency-key': randomUUID() },
    });
    expect(status(manual), JSON.stringify(manual.error)).to.equal(201);
    const label = await admin.POST('/api/v1/orders/{id}/shipments', {
      params: { path: { id } },
      body: { carrier: 'easypost', parcel: { weightGrams: 500 }, lines: [{ productId: p.id, quantity: 1 }] },
      headers: { 'idempotency-key': randomUUID() },
    });
    expect(status(label), JSON.stringify(label.error)).to.equal(201);
    const cancelled = await admin.POST('/api/v1/orders/{id}/shipments/{shipmentId}/cancel', {
      params: { path: { id, shipmentId: label.data!.id } },
      body: { reason: 'Collo sbagliato' },
      headers: { 'idempotency-key': randomUUID() },
    });
    expect(status(cancelled), JSON.stringify(cancelled.error)).to.equal(200);
    const rest = await admin.POST('/api/v1/orders/{id}/cancel-remaining', {
      params: { path: { id } },
      body: { reason: 'Esaurito' },
      headers: { 'idempotency-key': randomUUID() },
    });
    expect(status(rest), JSON.stringify(rest.error)).to.equal(200);
    expect(await orderStatus(id)).to.equal('shipped');
    expect(await one('SELECT shipped_quantity, cancelled_quantity FROM order_items WHERE order_id = $1', [id])).to.deep.equal({
      shipped_quantity: 2,
      cancelled_quantity: 4,
    });
    await eventually(
      async () => (await one<{ status: string }>('SELECT status FROM payments WHERE order_id = $1', [id])).status === 'partially_refunded',
      'the refund',
    );
  });

  it('creates, changes, rotates, tests and redelivers an outgoing webhook subscription; the worker delivers', async () => {
    const created = await admin.POST('/api/v1/webhook-subscriptions', { body: { url: receiver.url, eventTypes: ['order.created'] } });
    expect(status(created), JSON.stringify(created.error)).to.equal(201);
    const id = created.data!.id;
    expect(status(await admin.PATCH('/api/v1/webhook-subscriptions/{id}', { params: { path: { id } }, body: { description: 'ERP' } }))).to.equal(200);
    expect(status(await admin.POST('/api/v1/webhook-subscriptions/{id}/rotate-secret', { params: { path: { id } } }))).to.equal(200);
    const test = await admin.POST('/api/v1/webhook-subscriptions/{id}/test', { params: { path: { id } } });
    expect(status(test)).to.equal(202);
    await eventually(
      async () => (await one<{ status: string }>('SELECT status FROM webhook_deliveries WHERE id = $1', [test.data!.id])).status === 'succeeded',
      'the test delivery',
    );
    const redelivered = await admin.POST('/api/v1/webhook-deliveries/{id}/redeliver', { params: { path: { id: test.data!.id } } });
    expect(status(redelivered), JSON.stringify(redelivered.error)).to.equal(200);
    expect(redelivered.data!.attempts.filter((a) => a.manual)).to.have.length(1);

    // The fan-out and the worker carry a new order to the receiver.
    const before = receiver.requests.length;
    const p = await product();
    const buyer = await customer();
    await order(buyer.id, p.id);
    await eventually(async () => receiver.requests.slice(before).some((r) => r.raw.includes('"order.created"')), 'the order.created delivery');
    expect(status(await admin.DELETE('/api/v1/webhook-subscriptions/{id}', { params: { path: { id } } }))).to.equal(204);
  });

  it('closes the first-admin setup with 404 once an admin exists', async () => {
    const res = await api(svc.baseUrl).POST('/api/v1/setup/first-admin', {
      body: { code: 'x'.repeat(32), email: 'intruso@pool.test', name: 'Intruso', password: 'una password lunga e sicura' },
    });
    expect(status(res)).to.equal(404);
    expect(await one('SELECT count(*)::int AS n FROM users WHERE email = $1', ['intruso@pool.test'])).to.deep.equal({ n: 0 });
  });

  it('keeps answering while many writes and the background work contend for the one connection', async () => {
    const p = await product(1000);
    const buyers = await Promise.all(Array.from({ length: 3 }, () => customer()));
    // An unpaid order past its reservation: the sweeper cancels it meanwhile.
    const overdue = await order(buyers[0]!.id, p.id);
    await svc.db.query("UPDATE orders SET reserved_until = now() - interval '1 minute' WHERE id = $1", [overdue]);
    // Refreshes of sign-ins of their own (a refresh token used twice would end its session).
    const sessions: string[] = [];
    for (let i = 0; i < 8; i += 1) {
      const buyer = buyers[i % buyers.length]!;
      const login = await api(svc.baseUrl).POST('/api/v1/auth/login', { body: { email: buyer.email, password: buyer.password } });
      sessions.push(login.data!.refreshToken);
    }
    const started = Date.now();
    const answers = await Promise.all(
      Array.from({ length: 24 }, (_, i) => {
        const buyer = buyers[i % buyers.length]!;
        return i % 3 === 2
          ? api(svc.baseUrl)
              .POST('/api/v1/auth/refresh', { body: { refreshToken: sessions[Math.floor(i / 3)]! } })
              .then((r) => (status(r) === 200 ? 'ok' : status(r)))
          : api(svc.baseUrl, buyer.token)
              .POST('/api/v1/orders', {
                body: { items: [{ productId: p.id, quantity: 1 }], shippingAddress: ADDRESS },
                headers: { 'idempotency-key': randomUUID() },
              })
              .then((r) => (status(r) === 201 ? 'ok' : status(r)));
      }),
    );
    expect(
      answers.every((a) => a === 'ok'),
      JSON.stringify(answers),
    ).to.equal(true);
    expect(Date.now() - started).to.be.below(WITHIN_MS);
    await eventually(async () => (await orderStatus(overdue)) === 'cancelled', 'the expiry of the overdue order');
    await eventually(
      async () => (await one<{ n: number }>('SELECT count(*)::int AS n FROM events WHERE dispatched_at IS NULL')).n === 0,
      'the dispatch of every event',
    );
    await eventually(async () => (await one<{ n: number }>('SELECT count(*)::int AS n FROM stock_change_marks')).n === 0, 'the stock figures pass');
    expect(await one('SELECT reserved FROM products WHERE id = $1', [p.id])).to.deep.equal({ reserved: 16 });
  });
});

describe('a service with a pool of one connection and no admin yet', function () {
  this.timeout(60_000);
  let svc: FreshService;

  before(async function () {
    this.timeout(120_000);
    svc = await startServiceProcess({ admin: false, env: { ...POOL_OF_ONE } });
  });
  after(async () => {
    await svc?.stop();
  });

  it('refuses a wrong setup code with 403, then creates the first admin with the printed one', async () => {
    const code = new URL(printedSetupLink(svc.logs)).hash.replace(/^#code=/, '');
    const body = { email: 'prima.admin@pool.test', name: 'Giulia Bianchi', password: 'una password lunga e sicura' };
    const wrong = await api(svc.baseUrl).POST('/api/v1/setup/first-admin', { body: { ...body, code: 'y'.repeat(32) } });
    expect(status(wrong)).to.equal(403);
    const created = await api(svc.baseUrl).POST('/api/v1/setup/first-admin', { body: { ...body, code } });
    expect(status(created), JSON.stringify(created.error)).to.equal(201);
    expect((await svc.db.query('SELECT email, role FROM users')).rows).to.deep.equal([{ email: 'prima.admin@pool.test', role: 'admin' }]);
    const again = await api(svc.baseUrl).POST('/api/v1/setup/first-admin', { body: { ...body, code } });
    expect(status(again)).to.equal(404);
  });
});
