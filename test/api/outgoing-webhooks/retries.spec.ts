import { expect } from 'chai';
import { until, verify } from './receiver';
import { useHooksShop, type HooksShop } from './hooks-service';

describe('outgoing webhooks: retries, failures and disabling', function () {
  this.timeout(30_000);
  const hooks = useHooksShop();
  const subscribe = () => hooks.subscribe();

  async function deliveryOf(subscriptionId: string, status?: 'pending' | 'succeeded' | 'failed') {
    const { shop } = hooks;
    return until(`a ${status ?? ''} delivery`, async () => {
      const page = await shop.admin.GET('/api/v1/webhook-subscriptions/{id}/deliveries', {
        params: { path: { id: subscriptionId }, query: status ? { status } : {} },
      });
      const item = page.data?.items[0];
      if (!item) return undefined;
      return (await shop.admin.GET('/api/v1/webhook-deliveries/{id}', { params: { path: { id: item.id } } })).data;
    });
  }

  it('retries 500, 500 then succeeds on 200: three attempts with the same webhook-id, each verified', async () => {
    const { shop, receiver } = hooks;
    const sub = await subscribe();
    receiver.behaviour = (n) => (n < 2 ? { status: 500, body: 'boom' } : { status: 200 });
    await shop.placeOrder();
    const requests = await receiver.waitFor(3);
    const ids = new Set(requests.map((r) => r.headers['webhook-id']));
    expect(ids.size).to.equal(1);
    for (const r of requests) verify(sub.secret, r);
    const delivery = await deliveryOf(sub.id, 'succeeded');
    expect(delivery).to.include({ status: 'succeeded', attemptCount: 3, lastStatusCode: 200 });
    expect(delivery!.attempts.map((a) => [a.statusCode, a.errorKind])).to.deep.equal([
      [500, 'http-status'],
      [500, 'http-status'],
      [200, null],
    ]);
    expect(delivery!.attempts[0]!.responseBody).to.equal('boom');
    // ±20 % around the 100 ms step of the compressed schedule.
    expect(requests[1]!.at - requests[0]!.at).to.be.within(70, 1000);
    const health = (await shop.admin.GET('/api/v1/webhook-subscriptions/{id}', { params: { path: { id: sub.id } } })).data!;
    expect(health.failingSince).to.equal(null);
    expect(health.lastFailureAt).to.be.a('string');
  });

  it('records deliveries answered together each with its own outcome and schedule', async () => {
    const { shop, receiver } = hooks;
    const sub = await subscribe();
    // Every second message fails its first attempt; the others succeed at once.
    const seen: string[] = [];
    receiver.behaviour = (_n, req) => {
      const id = String(req.headers['webhook-id']);
      const first = !seen.includes(id);
      if (first) seen.push(id);
      return first && seen.indexOf(id) % 2 === 1 ? { status: 500, body: 'later' } : { status: 204 };
    };
    await Promise.all(Array.from({ length: 6 }, () => shop.placeOrder()));
    await receiver.waitFor(9);
    const page = await until('six succeeded deliveries', async () => {
      const res = await shop.admin.GET('/api/v1/webhook-subscriptions/{id}/deliveries', { params: { path: { id: sub.id }, query: { status: 'succeeded' } } });
      return res.data && res.data.items.length === 6 ? res.data.items : undefined;
    });
    const failedFirst = new Set(seen.filter((_id, i) => i % 2 === 1));
    for (const item of page) {
      const detail = (await shop.admin.GET('/api/v1/webhook-deliveries/{id}', { params: { path: { id: item.id } } })).data!;
      const expected = failedFirst.has(detail.webhookId)
        ? [
            [500, 'http-status'],
            [204, null],
          ]
        : [[204, null]];
      expect(
        detail.attempts.map((a) => [a.statusCode, a.errorKind]),
        detail.webhookId,
      ).to.deep.equal(expected);
      expect(detail).to.include({ attemptCount: expected.length, lastStatusCode: 204, nextAttemptAt: null });
    }
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(receiver.requests).to.have.length(9);
    const health = (await shop.admin.GET('/api/v1/webhook-subscriptions/{id}', { params: { path: { id: sub.id } } })).data!;
    expect(health).to.include({ enabled: true, failingSince: null });
  });

  it('counts a 302 as a failure and never follows it', async () => {
    const { shop, receiver } = hooks;
    const sub = await subscribe();
    let redirected = 0;
    receiver.behaviour = (n, req) => {
      if (req.raw === '') redirected += 1;
      return n === 0 ? { status: 302, headers: { location: `${receiver.url}/elsewhere` } } : { status: 200 };
    };
    await shop.placeOrder();
    await receiver.waitFor(2);
    const delivery = await deliveryOf(sub.id, 'succeeded');
    expect(delivery!.attempts[0]).to.include({ statusCode: 302, errorKind: 'http-status' });
    expect(receiver.requests.every((r) => r.raw !== '' && r.headers['webhook-id'] === delivery!.webhookId)).to.equal(true);
    expect(redirected).to.equal(0);
  });

  it('logs at most 20 kB of an answer, NUL characters removed', async () => {
    const { shop, receiver } = hooks;
    const sub = await subscribe();
    receiver.behaviour = (n) => (n === 0 ? { status: 500, body: `bad\u0000${'x'.repeat(30_000)}` } : { status: 200 });
    await shop.placeOrder();
    await receiver.waitFor(2);
    const delivery = await deliveryOf(sub.id, 'succeeded');
    const body = delivery!.attempts[0]!.responseBody!;
    expect(body.startsWith('badxxx')).to.equal(true);
    expect(body.length).to.equal(20 * 1024 - 1);
  });

  it('disables the subscription at once on 410 and tells staff', async () => {
    const { shop, receiver } = hooks;
    const sub = await subscribe();
    receiver.behaviour = () => ({ status: 410 });
    await shop.placeOrder();
    await receiver.waitFor(1);
    const disabled = await until('the subscription disabled', async () => {
      const s = await subscriptionOf(shop, sub.id);
      return s?.enabled === false ? s : undefined;
    });
    expect(disabled.disabledReason).to.match(/^gone/);
    const delivery = await deliveryOf(sub.id);
    expect(delivery).to.include({ status: 'failed', attemptCount: 1, lastStatusCode: 410 });
    const events = await shop.fresh.db.query<{ data: Record<string, unknown>; audience_staff: boolean }>(
      "SELECT data, audience_staff FROM events WHERE type = 'webhook.subscription_disabled'",
    );
    expect(events.rows.map((e) => e.data)).to.deep.include({
      subscriptionId: sub.id,
      host: new URL(receiver.url).host,
      reason: 'gone',
      detail: 'The receiver answered 410 Gone.',
    });
    await shop.placeOrder();
    await new Promise((resolve) => setTimeout(resolve, 400));
    expect(receiver.requests).to.have.length(1);
  });

  it('records a hanging receiver as a timeout and waits at least 60 s before the next attempt', async () => {
    const { shop, receiver } = hooks;
    const sub = await subscribe();
    receiver.behaviour = () => 'hang';
    await shop.placeOrder();
    await receiver.waitFor(1);
    const delivery = await until('the timed-out attempt', async () => {
      const d = await deliveryOf(sub.id);
      return d && d.attempts.length > 0 ? d : undefined;
    });
    expect(delivery.attempts[0]).to.include({ statusCode: null, errorKind: 'timeout' });
    expect(delivery.attempts[0]!.durationMs).to.be.within(350, 2000);
    expect(delivery.status).to.equal('pending');
    expect(Date.parse(delivery.nextAttemptAt!) - Date.parse(delivery.attempts[0]!.attemptedAt)).to.be.at.least(60_000);
  });

  it('honours Retry-After within the schedule, at least 60 s after a 429', async () => {
    const { shop, receiver } = hooks;
    const sub = await subscribe();
    receiver.behaviour = () => ({ status: 429, headers: { 'retry-after': '5' } });
    await shop.placeOrder();
    await receiver.waitFor(1);
    const delivery = await until('the throttled attempt', async () => {
      const d = await deliveryOf(sub.id);
      return d && d.attempts.length > 0 ? d : undefined;
    });
    expect(delivery.attempts[0], JSON.stringify(delivery)).to.include({ statusCode: 429, errorKind: 'http-status' });
    expect(Date.parse(delivery.nextAttemptAt!) - Date.parse(delivery.attempts[0]!.attemptedAt)).to.be.at.least(60_000);
  });

  it('disables a subscription failing with no success for the (compressed) window, and one success resets the window', async () => {
    const { shop, receiver } = hooks;
    const sub = await subscribe();
    // Fails for about 1 s, succeeds once, then fails for good: the 2.16 s window starts again at the success.
    let succeededAt = 0;
    receiver.behaviour = (_n, req) => {
      const first = receiver.requests[0]!.at;
      if (succeededAt === 0 && req.at - first > 1_000) {
        succeededAt = req.at;
        return { status: 200 };
      }
      return { status: 503 };
    };
    await shop.placeOrder();
    await until('the success', () => (succeededAt > 0 ? true : undefined), 5_000);
    const reset = (await shop.admin.GET('/api/v1/webhook-subscriptions/{id}', { params: { path: { id: sub.id } } })).data!;
    expect(reset.enabled).to.equal(true);
    await shop.placeOrder();
    const disabled = await until(
      'the subscription disabled',
      async () => {
        const s = await subscriptionOf(shop, sub.id);
        return s?.enabled === false ? s : undefined;
      },
      10_000,
    );
    expect(disabled.disabledReason).to.match(/^failing-too-long/);
    const failedSince = Date.parse(disabled.failingSince!);
    expect(failedSince).to.be.at.least(succeededAt - 50);
    expect(Date.parse(disabled.updatedAt) - failedSince).to.be.at.least(2_000);
    const events = await shop.fresh.db.query<{ data: Record<string, unknown> }>(
      "SELECT data FROM events WHERE type = 'webhook.subscription_disabled' AND data->>'subscriptionId' = $1",
      [sub.id],
    );
    expect(events.rows).to.have.length(1);
    expect(events.rows[0]!.data['reason']).to.equal('failing-too-long');
  });
});

/**
 * The subscription as an admin reads it, or undefined while the service is briefly unavailable
 * (503: a busy pool under the parallel suite); any other refusal fails the test with its problem.
 */
async function subscriptionOf(shop: HooksShop, id: string) {
  const res = await shop.admin.GET('/api/v1/webhook-subscriptions/{id}', { params: { path: { id } } });
  if (res.data) return res.data;
  if (res.response.status === 503) return undefined;
  throw new Error(`GET /webhook-subscriptions/${id} answered ${res.response.status}: ${JSON.stringify(res.error)}`);
}
