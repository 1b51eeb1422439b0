import { expect } from 'chai';
import { until } from './receiver';
import { useHooksShop } from './hooks-service';

/**
 * SSRF protection with WEBHOOK_ALLOWED_CIDRS empty (production's default). A spec of its own: the
 * suite's model classes follow the last service started, so two fresh services never overlap.
 */
describe('outgoing webhooks: with no allowed CIDRs, internal addresses are refused', function () {
  this.timeout(30_000);
  const hooks = useHooksShop({ WEBHOOK_ALLOWED_CIDRS: '' });

  it('refuses loopback, localhost, [::1], private and metadata addresses as blocked-address', async () => {
    const { shop: strict } = hooks;
    for (const url of [
      'http://127.0.0.1:8080/hooks',
      'http://localhost/hooks',
      'http://[::1]/hooks',
      'http://10.0.0.1/hooks',
      'http://169.254.169.254/latest/meta-data',
      'http://[::ffff:127.0.0.1]/x',
      'http://0.0.0.0/x',
    ]) {
      const res = await strict.admin.POST('/api/v1/webhook-subscriptions', { body: { url, eventTypes: ['order.created'] } });
      expect(res.response.status, url).to.equal(422);
      expect(res.error, url).to.include({ code: 'blocked-address' });
    }
    expect((await strict.fresh.db.query('SELECT 1 FROM webhook_subscriptions')).rowCount).to.equal(0);
  });

  it('refuses at connect time an address that became internal after the check', async () => {
    const { receiver, shop: strict } = hooks;
    // A stored URL whose host now points inside (DNS rebinding, or a row written before the rule).
    const created = await strict.admin.POST('/api/v1/webhook-subscriptions', { body: { url: 'https://erp.example.com/hooks', eventTypes: ['order.created'] } });
    expect(created.response.status, JSON.stringify(created.error)).to.equal(201);
    await strict.fresh.db.query('UPDATE webhook_subscriptions SET url = $1 WHERE id = $2', [receiver.url, created.data!.id]);
    await strict.placeOrder();
    const delivery = await until('the refused attempt', async () => {
      const page = await strict.admin.GET('/api/v1/webhook-subscriptions/{id}/deliveries', { params: { path: { id: created.data!.id } } });
      const item = page.data?.items[0];
      if (!item || item.attemptCount === 0) return undefined;
      return (await strict.admin.GET('/api/v1/webhook-deliveries/{id}', { params: { path: { id: item.id } } })).data;
    });
    expect(delivery!.attempts[0]).to.include({ errorKind: 'blocked-address', statusCode: null });
    expect(receiver.requests).to.have.length(0);
  });
});
