import { expect } from 'chai';
import { rawRequest, asAdmin, createProduct } from '../../support/api';
import { client } from '../../support/client';
import { query } from '../../support/database';
import { FakeStripe } from '../../support/fakes/stripe.fake';
import { stripeWebhook } from '../integrations/helpers';

describe('Client faults answer problems, never 500', () => {
  describe('integers beyond what is stored', () => {
    it('refuses a stock receipt that would take onHand past 1,000,000,000 with 409, changing nothing', async () => {
      const admin = await asAdmin();
      const product = await createProduct({ initialStock: 1_000_000_000 });
      for (let i = 0; i < 2; i += 1) {
        const res = await client(admin).POST('/api/v1/products/{id}/stock-movements', {
          params: { path: { id: product.id } },
          body: { type: 'receipt', delta: 1_000_000_000, reason: 'overflow attempt' },
        });
        expect(res.response.status).to.equal(409);
        expect(res.response.headers.get('content-type')).to.include('application/problem+json');
        expect(res.error?.code).to.equal('value-out-of-range');
      }
      const [row] = await query('SELECT on_hand FROM products WHERE id = $1', [product.id]);
      expect(row.on_hand).to.equal(1_000_000_000);
      expect(await query("SELECT 1 FROM stock_movements WHERE product_id = $1 AND reason = 'overflow attempt'", [product.id])).to.have.length(0);
    });

    it('refuses integers above the contract bounds with 400', async () => {
      const admin = await asAdmin();
      const product = await createProduct();
      const res = await client(admin).POST('/api/v1/products/{id}/stock-movements', {
        params: { path: { id: product.id } },
        body: { type: 'receipt', delta: 1e12, reason: 'huge' },
      });
      expect(res.response.status).to.equal(400);
    });
  });

  describe('the NUL character', () => {
    it('is refused in a body string, a property name and a query parameter with 400 naming the field, storing nothing', async () => {
      const admin = await asAdmin();
      const sku = `NUL-${Date.now()}`;
      const body = await client(admin).POST('/api/v1/products', { body: { sku, name: 'Penna\u0000blu', unitPriceCents: 100 } });
      expect(body.response.status).to.equal(400);
      expect(body.error?.errors).to.deep.include({ path: 'body.name', message: 'must not contain the NUL character (U+0000)' });
      expect(await query('SELECT 1 FROM products WHERE sku = $1', [sku])).to.have.length(0);

      const key = await rawRequest('POST', '/api/v1/auth/register', {
        rawBody: '{"email":"a@b.test","password":"a long password 1","name":"A","\\u0000":1}',
        headers: { 'content-type': 'application/json' },
      });
      expect(key.status).to.equal(400);

      const search = await client(admin).GET('/api/v1/products', { params: { query: { q: 'a\u0000b' } } });
      expect(search.response.status).to.equal(400);
      expect(search.error?.errors?.[0]?.path).to.equal('query.q');
    });
  });

  describe('signed Stripe events of the wrong shape', () => {
    let stripe: FakeStripe;
    beforeEach(() => {
      stripe = new FakeStripe().install();
    });
    afterEach(() => stripe.uninstall());

    const bodies: [string, unknown][] = [
      ['an array body', [{ id: 'evt_1', type: 'payment_intent.succeeded', data: { object: { id: 'pi_1' } } }]],
      ['no id', { object: 'event', type: 'payment_intent.succeeded', data: { object: { id: 'pi_1' } } }],
      ['an object id', { id: { $gt: '' }, object: 'event', type: 'payment_intent.succeeded', data: { object: { id: 'pi_1' } } }],
      ['no data', { id: 'evt_no_data_1', object: 'event', type: 'payment_intent.succeeded' }],
      ['an object without id', { id: 'evt_no_object_id', object: 'event', type: 'payment_intent.succeeded', data: { object: {} } }],
      ['a JSON string', 'evt'],
    ];
    for (const [what, event] of bodies) {
      it(`answers 400 to a validly signed event with ${what}, storing nothing`, async () => {
        const before = await query('SELECT count(*)::int AS n FROM provider_events');
        const rawBody = JSON.stringify(event);
        const res = await stripeWebhook({ rawBody, signature: stripe.sign(rawBody) });
        expect(res.response.status).to.equal(400);
        expect(res.response.headers.get('content-type')).to.include('application/problem+json');
        const after = await query('SELECT count(*)::int AS n FROM provider_events');
        expect(after[0].n).to.equal(before[0].n);
      });
    }

    it('refuses a Stripe-Signature that repeats t= (a fresh first timestamp before a signature made for the future)', async () => {
      const now = Math.floor(Date.now() / 1000);
      const delivery = stripe.succeeded('pi_repeat_t', { id: 'evt_repeat_t' });
      const forged = `t=${now},${stripe.sign(delivery.rawBody, { timestamp: now + 3600 })}`;
      const res = await stripeWebhook(delivery, forged);
      expect(res.response.status).to.equal(400);
      expect(res.error?.code).to.equal('invalid-signature');
      expect(await query("SELECT 1 FROM provider_events WHERE event_id = 'evt_repeat_t'")).to.have.length(0);
    });
  });
});
