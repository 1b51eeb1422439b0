import { randomUUID } from 'node:crypto';
import { SecretBox } from '../../../src/outgoing-webhooks/secret-box';
import { testEnv } from '../../support/hooks';
import { expect } from 'chai';
import { Receiver, until, verify } from './receiver';
import { useHooksShop } from './hooks-service';

describe('outgoing webhooks: subscriptions and delivery', function () {
  this.timeout(30_000);
  const hooks = useHooksShop();
  const subscribe = (eventTypes: Parameters<typeof hooks.subscribe>[0] = ['order.created']) => hooks.subscribe(eventTypes, 'ERP di prova');

  it('creates a subscription, answers its whsec_ secret once and stores it encrypted', async () => {
    const { shop, receiver } = hooks;
    const created = await subscribe();
    expect(created.secret).to.match(/^whsec_[A-Za-z0-9+/]{43}=$/);
    // The answer carries the secret: no cache may keep it.
    const again = await shop.admin.POST('/api/v1/webhook-subscriptions', { body: { url: receiver.url, eventTypes: ['order.created'] } });
    expect(again.response.status).to.equal(201);
    expect(again.response.headers.get('cache-control')).to.equal('no-store');
    expect(Buffer.from(created.secret.slice(6), 'base64')).to.have.length(32);
    expect(created).to.include({ url: receiver.url, enabled: true, description: 'ERP di prova', failingSince: null });
    const got = await shop.admin.GET('/api/v1/webhook-subscriptions/{id}', { params: { path: { id: created.id } } });
    expect(got.data).to.not.have.property('secret');
    const stored = (await shop.fresh.db.query<{ secret_ciphertext: string }>('SELECT secret_ciphertext FROM webhook_subscriptions WHERE id = $1', [created.id]))
      .rows[0]!;
    expect(stored.secret_ciphertext).to.match(/^v2\./);
    expect(stored.secret_ciphertext).to.not.contain(created.secret.slice(6, 20));
    // Bound to its subscription: it opens for this id only (HOOKS_ENV leaves the key to testEnv).
    const box = new SecretBox(testEnv['WEBHOOK_SECRETS_KEY']!);
    expect(box.open(stored.secret_ciphertext, created.id)).to.equal(created.secret);
    expect(() => box.open(stored.secret_ciphertext, randomUUID())).to.throw();
  });

  it('sends a subscribed event as exactly one POST that verifies with the standardwebhooks package', async () => {
    const { shop, receiver } = hooks;
    const sub = await subscribe(['order.created']);
    const orderId = await shop.placeOrder();
    const [request] = await receiver.waitFor(1);
    const body = verify(sub.secret, request!);
    expect(body['type']).to.equal('order.created');
    expect(body['data']).to.include({ orderId, status: 'pending_payment' });
    expect(body['id']).to.equal(request!.headers['webhook-id']);
    expect(Date.parse(body['timestamp'] as string)).to.be.greaterThan(0);
    const events = await shop.fresh.db.query<{ data: object }>("SELECT data FROM events WHERE type = 'order.created' AND data->>'orderId' = $1", [orderId]);
    expect(body['data']).to.deep.equal(events.rows[0]!.data);
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(receiver.requests).to.have.length(1);

    const log = await until('a succeeded delivery', async () => {
      const page = await shop.admin.GET('/api/v1/webhook-subscriptions/{id}/deliveries', { params: { path: { id: sub.id }, query: { status: 'succeeded' } } });
      return page.data?.items[0];
    });
    expect(log).to.include({
      eventType: 'order.created',
      webhookId: request!.headers['webhook-id'],
      attemptCount: 1,
      lastStatusCode: 200,
      status: 'succeeded',
    });
    const detail = await shop.admin.GET('/api/v1/webhook-deliveries/{id}', { params: { path: { id: log.id } } });
    expect(detail.data!.attempts).to.have.length(1);
    expect(detail.data!.attempts[0]).to.include({ statusCode: 200, errorKind: null, responseBody: 'ok', manual: false });
    expect(detail.data!.attempts[0]!.requestHeaders['webhook-id']).to.equal(log.webhookId);
    expect(JSON.stringify(detail.data!.attempts[0]!.requestHeaders)).to.not.contain(sub.secret.slice(6));
    const health = await shop.admin.GET('/api/v1/webhook-subscriptions/{id}', { params: { path: { id: sub.id } } });
    expect(health.data!.lastSuccessAt).to.be.a('string');
  });

  it('purges deliveries older than WEBHOOK_LOG_RETENTION_DAYS with their attempts, in the housekeeper', async () => {
    const { shop, receiver } = hooks;
    const sub = await subscribe(['order.created']);
    await shop.placeOrder();
    await shop.placeOrder();
    await receiver.waitFor(2);
    const page = await until('two logged deliveries', async () => {
      const res = await shop.admin.GET('/api/v1/webhook-subscriptions/{id}/deliveries', { params: { path: { id: sub.id }, query: { status: 'succeeded' } } });
      return res.data && res.data.items.length === 2 ? res.data.items : undefined;
    });
    const [recent, old] = page;
    await shop.fresh.db.query("UPDATE webhook_deliveries SET created_at = now() - interval '31 days' WHERE id = $1", [old!.id]);
    const left = await until('the housekeeper purged the old delivery', async () => {
      const rows = (await shop.fresh.db.query<{ id: string }>('SELECT id FROM webhook_deliveries WHERE subscription_id = $1', [sub.id])).rows;
      return rows.length === 1 ? rows : undefined;
    });
    expect(left.map((r) => r.id)).to.deep.equal([recent!.id]);
    const orphans = await shop.fresh.db.query('SELECT 1 FROM webhook_delivery_attempts WHERE delivery_id = $1', [old!.id]);
    expect(orphans.rowCount).to.equal(0);
  });

  it('sends nothing for an unsubscribed event type, nor to a disabled subscription', async () => {
    const { shop, receiver } = hooks;
    await subscribe(['payment.updated']);
    const disabled = await subscribe(['order.created']);
    const patched = await shop.admin.PATCH('/api/v1/webhook-subscriptions/{id}', { params: { path: { id: disabled.id } }, body: { enabled: false } });
    expect(patched.data).to.include({ enabled: false, disabledReason: 'disabled by an admin' });
    await shop.placeOrder();
    await new Promise((resolve) => setTimeout(resolve, 600));
    expect(receiver.requests).to.have.length(0);
    const stored = await shop.fresh.db.query('SELECT 1 FROM webhook_deliveries');
    expect(stored.rowCount).to.equal(0);
  });

  describe('one subscription never holds back another', () => {
    /** Queues `count` deliveries for a subscription, all due an hour ago: older than any other. */
    async function backlog(subscriptionId: string, count: number): Promise<void> {
      await hooks.shop.fresh.db.query(
        `INSERT INTO webhook_deliveries (subscription_id, message_id, event_id, event_type, body, next_attempt_at)
         SELECT $1, 'msg_backlog_' || g, NULL, 'order.created', '{}', now() - interval '1 hour' FROM generate_series(1, $2::int) g`,
        [subscriptionId, count],
      );
    }

    it('delivers to the others while a disabled subscription keeps thousands of deliveries due', async () => {
      const { shop, receiver } = hooks;
      const paused = await subscribe();
      await shop.admin.PATCH('/api/v1/webhook-subscriptions/{id}', { params: { path: { id: paused.id } }, body: { enabled: false } });
      await backlog(paused.id, 2_500);
      const sub = await subscribe();
      const orderId = await shop.placeOrder();
      const [request] = await receiver.waitFor(1, 5_000);
      expect(verify(sub.secret, request!)['data']).to.include({ orderId });
      const kept = await shop.fresh.db.query<{ n: number }>(
        "SELECT count(*)::int AS n FROM webhook_deliveries WHERE subscription_id = $1 AND status = 'pending' AND attempt_count = 0",
        [paused.id],
      );
      expect(kept.rows[0]!.n, 'the paused subscription keeps its backlog for when it is enabled again').to.equal(2_500);
    });

    it('delivers to the others while a hanging receiver has thousands due, and sends it no more than its concurrency at once', async () => {
      const { shop, receiver } = hooks;
      const slow = await new Receiver().start();
      slow.behaviour = () => 'hang';
      try {
        const stuck = (await shop.admin.POST('/api/v1/webhook-subscriptions', { body: { url: slow.url, eventTypes: ['order.created'] } })).data!;
        await backlog(stuck.id, 2_500);
        await slow.waitFor(4, 5_000);
        const sub = await subscribe();
        const orderId = await shop.placeOrder();
        const [request] = await receiver.waitFor(1, 5_000);
        expect(verify(sub.secret, request!)['data']).to.include({ orderId });
        // Each hanging request lasts the 400 ms timeout: a fifth within 300 ms of the first of four would be a fifth at once.
        const arrivals = slow.requests.map((r) => r.at);
        for (let i = 0; i + 4 < arrivals.length; i += 1) expect(arrivals[i + 4]! - arrivals[i]!, `requests ${i} and ${i + 4}`).to.be.at.least(300);
      } finally {
        await slow.stop();
      }
    });
  });
});
