import { expect } from 'chai';
import { Webhook } from 'standardwebhooks';
import { client } from '../../support/client';
import { until, verify } from './receiver';
import { useHooksShop } from './hooks-service';

describe('outgoing webhooks: rotation, test events, redelivery and URL checks', function () {
  this.timeout(30_000);
  // Nothing here times a receiver out: a 3 s answer timeout (not the fixture's 400 ms) keeps a loaded
  // 2-core machine from turning every attempt into a timeout (the test event then never arrives).
  const hooks = useHooksShop({ WEBHOOK_TIMEOUT_MS: '3000' });
  const subscribe = () => hooks.subscribe(['order.created', 'order.status_changed']);

  it('signs with the new and the old secret after a rotation, until the old one expires', async () => {
    const { shop, receiver } = hooks;
    const sub = await subscribe();
    const rotated = await shop.admin.POST('/api/v1/webhook-subscriptions/{id}/rotate-secret', { params: { path: { id: sub.id } } });
    expect(rotated.response.status).to.equal(200);
    // It carries the new secret: no cache may keep it.
    expect(rotated.response.headers.get('cache-control')).to.equal('no-store');
    const fresh = rotated.data!;
    expect(fresh.secret)
      .to.match(/^whsec_/)
      .and.not.equal(sub.secret);
    expect(Date.parse(fresh.previousSecretExpiresAt!) - Date.now()).to.be.within(23.9 * 3_600_000, 24 * 3_600_000);
    await shop.placeOrder();
    const [request] = await receiver.waitFor(1);
    expect(String(request!.headers['webhook-signature']).split(' ')).to.have.length(2);
    verify(fresh.secret, request!);
    verify(sub.secret, request!);

    // Past the 24 h, only the new secret signs.
    await shop.fresh.db.query("UPDATE webhook_subscriptions SET previous_secret_expires_at = now() - interval '1 second' WHERE id = $1", [sub.id]);
    await shop.placeOrder();
    const [, later] = await receiver.waitFor(2);
    expect(String(later!.headers['webhook-signature']).split(' ')).to.have.length(1);
    verify(fresh.secret, later!);
    expect(() => verify(sub.secret, later!)).to.throw();
    const view = (await shop.admin.GET('/api/v1/webhook-subscriptions/{id}', { params: { path: { id: sub.id } } })).data!;
    expect(view.previousSecretExpiresAt).to.equal(null);
  });

  it('sends a webhook.test event on demand and logs it', async () => {
    const { shop, receiver } = hooks;
    const sub = await subscribe();
    const queued = await shop.admin.POST('/api/v1/webhook-subscriptions/{id}/test', { params: { path: { id: sub.id } } });
    expect(queued.response.status).to.equal(202);
    expect(queued.response.headers.get('location')).to.equal(`/api/v1/webhook-deliveries/${queued.data!.id}`);
    expect(queued.data).to.include({ eventType: 'webhook.test', eventId: null, status: 'pending' });
    const [request] = await receiver.waitFor(1);
    const body = verify(sub.secret, request!);
    expect(body).to.deep.include({
      type: 'webhook.test',
      id: queued.data!.webhookId,
      data: { subscriptionId: sub.id, message: 'A test event from QuickStock.' },
    });
    // WEBHOOK_TIMEOUT_MS is 400 ms here: on a loaded 2-core machine the child service may give up on
    // an answer the receiver did send, and try again 100 ms later. The delivery must end succeeded,
    // its last attempt the 2xx one; every earlier attempt can only have been a timeout.
    const logged = await until(
      'the test delivery succeeded',
      async () => {
        const d = (await shop.admin.GET('/api/v1/webhook-deliveries/{id}', { params: { path: { id: queued.data!.id } } })).data!;
        return d.status === 'succeeded' ? d : undefined;
      },
      20_000,
    );
    expect(logged.attempts.length).to.be.at.least(1);
    const attempts = [...logged.attempts].sort((a, b) => Date.parse(a.attemptedAt) - Date.parse(b.attemptedAt));
    expect(attempts.at(-1)).to.include({ statusCode: 200, errorKind: null });
    for (const earlier of attempts.slice(0, -1)) expect(earlier.errorKind).to.equal('timeout');
  });

  it('redelivers with the same webhook-id as a manual attempt, without rescheduling', async () => {
    const { shop, receiver } = hooks;
    const sub = await subscribe();
    await shop.placeOrder();
    const [first] = await receiver.waitFor(1);
    const delivery = await until('the succeeded delivery', async () => {
      const page = await shop.admin.GET('/api/v1/webhook-subscriptions/{id}/deliveries', {
        params: { path: { id: sub.id }, query: { eventType: 'order.created', status: 'succeeded' } },
      });
      return page.data?.items[0];
    });
    receiver.behaviour = () => ({ status: 500, body: 'down for maintenance' });
    const failed = await shop.admin.POST('/api/v1/webhook-deliveries/{id}/redeliver', { params: { path: { id: delivery.id } } });
    expect(failed.response.status).to.equal(200);
    expect(failed.data!.status).to.equal('succeeded');
    expect(failed.data!.attempts.at(-1)).to.include({ manual: true, statusCode: 500, errorKind: 'http-status', responseBody: 'down for maintenance' });
    expect(failed.data!.nextAttemptAt).to.equal(null);
    receiver.behaviour = () => ({ status: 204 });
    const again = await shop.admin.POST('/api/v1/webhook-deliveries/{id}/redeliver', { params: { path: { id: delivery.id } } });
    expect(again.data!.attempts.at(-1)).to.include({ manual: true, statusCode: 204, errorKind: null });
    expect(again.data!.attemptCount).to.equal(1);
    expect(receiver.requests).to.have.length(3);
    for (const r of receiver.requests) expect(r.headers['webhook-id']).to.equal(first!.headers['webhook-id']);
    for (const r of receiver.requests) verify(sub.secret, r);
    await new Promise((resolve) => setTimeout(resolve, 400));
    expect(receiver.requests).to.have.length(3);
  });

  it('refuses URLs with credentials, other schemes or fragments as invalid-url', async () => {
    const { shop } = hooks;
    for (const url of ['https://user:pass@erp.example.com/hooks', 'ftp://erp.example.com/hooks', 'not a url', 'https://erp.example.com/hooks#x']) {
      const res = await shop.admin.POST('/api/v1/webhook-subscriptions', { body: { url, eventTypes: ['order.created'] } });
      expect(res.response.status, url).to.equal(422);
      expect(res.error, url).to.include({ code: 'invalid-url' });
    }
    expect((await shop.fresh.db.query('SELECT 1 FROM webhook_subscriptions')).rowCount).to.equal(0);
  });

  it('is for admins only', async () => {
    const { shop } = hooks;
    const operator = await shop.admin.POST('/api/v1/users', {
      body: { email: `op-${Date.now()}@hooks.test`, password: 'a long password 123', name: 'Operatore', role: 'operator' },
    });
    expect(operator.response.status).to.equal(201);
    const login = await client(undefined, shop.fresh.baseUrl).POST('/api/v1/auth/login', {
      body: { email: operator.data!.email, password: 'a long password 123' },
    });
    const asOperator = client(login.data!.accessToken, shop.fresh.baseUrl);
    expect((await asOperator.GET('/api/v1/webhook-subscriptions')).response.status).to.equal(403);
    expect((await client(undefined, shop.fresh.baseUrl).GET('/api/v1/webhook-subscriptions')).response.status).to.equal(401);
  });

  it('has the Standard Webhooks signature the reference implementation computes', async () => {
    const { shop, receiver } = hooks;
    const sub = await subscribe();
    await shop.placeOrder();
    const [request] = await receiver.waitFor(1);
    const wh = new Webhook(sub.secret.slice('whsec_'.length));
    const expected = wh.sign(String(request!.headers['webhook-id']), new Date(Number(request!.headers['webhook-timestamp']) * 1000), request!.raw);
    expect(request!.headers['webhook-signature']).to.equal(expected);
  });
});
