import { expect } from 'chai';
import createClient from 'openapi-fetch';
import type { paths } from '../../../generated/openapi';
import { createProduct } from '../../support/api';
import { ADMIN, h } from '../../support/hooks';

// An integrator's typed client, straight from the contract's types: the whole order flow compiles
// without one cast (tsc checks this file in `make lint`) and runs against the service.
describe('Contract: an openapi-fetch client', () => {
  it('takes an order from placement to delivery with the generated types only', async () => {
    await createProduct({ initialStock: 3 });
    const client = createClient<paths>({ baseUrl: h().baseUrl });

    const signIn = await client.POST('/api/v1/auth/login', { body: { email: ADMIN.email, password: ADMIN.password } });
    if (!signIn.data) throw new Error(`sign-in failed: ${signIn.error?.code}`);
    const auth = { Authorization: `Bearer ${signIn.data.accessToken}` };

    const registered = await client.POST('/api/v1/auth/register', {
      body: { email: `cliente-${Date.now()}@cartoleriarossi.it`, password: 'Quaderni-a-righe-2026', name: 'Cartoleria Rossi S.r.l.' },
    });
    const products = await client.GET('/api/v1/products', { params: { query: { limit: 100 } }, headers: auth });
    const product = products.data?.items.find((p) => p.available >= 1);
    if (!registered.data || !product) throw new Error('no customer or no product in stock');

    const placed = await client.POST('/api/v1/orders', {
      headers: { ...auth, 'Idempotency-Key': `flow-${registered.data.id}` },
      body: {
        items: [{ productId: product.id, quantity: 1 }],
        shippingAddress: {
          name: 'Cartoleria Rossi S.r.l.',
          line1: 'Via Giuseppe Garibaldi 42',
          city: 'Torino',
          postalCode: '10122',
          province: 'TO',
          country: 'IT',
        },
        customerId: registered.data.id,
      },
    });
    if (!placed.data) throw new Error(`order refused: ${placed.error?.code}`);
    const path = { params: { path: { id: placed.data.id } }, headers: auth };

    const paid = await client.POST('/api/v1/orders/{id}/payments', { ...path, body: { provider: 'manual', reference: 'Bonifico CRO 0123456789' } });
    const preparing = await client.POST('/api/v1/orders/{id}/status', { ...path, body: { status: 'in_preparation' } });
    const shipped = await client.POST('/api/v1/orders/{id}/shipments', {
      ...path,
      body: { carrier: 'manual', carrierName: 'BRT', trackingCode: '084512367890123' },
    });
    const delivered = await client.POST('/api/v1/orders/{id}/status', { ...path, body: { status: 'delivered' } });

    expect([paid.data?.status, preparing.data?.status, shipped.data?.status, delivered.data?.status]).to.deep.equal([
      'captured',
      'in_preparation',
      'in_transit',
      'delivered',
    ]);
    // Problems are typed too: `code` is the union of the codes the contract lists for the operation.
    const again = await client.POST('/api/v1/orders/{id}/status', { ...path, body: { status: 'in_preparation' } });
    expect(again.response.status).to.equal(409);
    expect(again.error?.code).to.equal('illegal-transition');
  });
});
