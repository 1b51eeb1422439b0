import { expect } from 'chai';
import { randomUUID } from 'node:crypto';
import { rawRequest, problemOf, asAdmin, customer, createProduct } from '../../support/api';
import { client } from '../../support/client';

describe('Contract: response headers', () => {
  it('answers a created user with Location, the URL that reads it back', async () => {
    const email = `operator-${randomUUID()}@example.test`;
    const res = await client(await asAdmin()).POST('/api/v1/users', {
      body: { email, password: 'Evidenziatore-giallo-77', name: 'Giulia Bianchi', role: 'operator' },
    });
    expect(res.response.status).to.equal(201);
    expect(res.response.headers.get('location')).to.equal(`/api/v1/users/${res.data?.id}`);
    const read = await rawRequest('GET', res.response.headers.get('location') as string, { token: await asAdmin() });
    expect(read.status).to.equal(200);
    expect(read.body).to.include({ email });
  });

  it('answers a registered customer with Location naming its user', async () => {
    const res = await client().POST('/api/v1/auth/register', {
      body: { email: `cliente-${randomUUID()}@example.test`, password: 'Quaderni-a-righe-2026', name: 'Cartoleria Rossi S.r.l.' },
    });
    expect(res.response.status).to.equal(201);
    expect(res.response.headers.get('location')).to.equal(`/api/v1/users/${res.data?.id}`);
  });

  it('answers a method the path does not have with 405, Allow and method-not-allowed', async () => {
    // A method the contract does not have for the path: only a raw request sends it.
    const res = await rawRequest('PUT', `/api/v1/orders/${randomUUID()}`, { token: await asAdmin(), body: {} });
    expect(res.status).to.equal(405);
    expect(res.headers.get('allow')).to.equal('GET');
    expect(problemOf(res).code).to.equal('method-not-allowed');
    expect(res.headers.get('x-request-id')).to.equal(problemOf(res).requestId);
  });

  it('answers a missing token with 401 and WWW-Authenticate: Bearer', async () => {
    const res = await client().GET('/api/v1/auth/me');
    expect(res.response.status).to.equal(401);
    expect(res.response.headers.get('www-authenticate')).to.equal('Bearer');
    expect(res.error?.code).to.equal('unauthorized');
  });

  it('echoes a sane X-Request-Id and replaces an unsafe one', async () => {
    const kept = await client().GET('/health/live', { headers: { 'x-request-id': 'integrator-42.a' } });
    expect(kept.response.headers.get('x-request-id')).to.equal('integrator-42.a');
    const replaced = await client().GET('/health/live', { headers: { 'x-request-id': 'no spaces allowed' } });
    expect(replaced.response.headers.get('x-request-id')).to.match(/^[0-9a-f-]{36}$/);
  });

  it('marks a replayed order with Idempotent-Replayed, also for a duplicate sent while the first runs', async () => {
    const buyer = await customer();
    const product = await createProduct({ initialStock: 10 });
    const body = {
      items: [{ productId: product.id, quantity: 1 }],
      shippingAddress: { name: 'Cartoleria Rossi S.r.l.', line1: 'Via Giuseppe Garibaldi 42', city: 'Torino', postalCode: '10122', country: 'IT' },
    };
    const send = (key: string) => client(buyer.token).POST('/api/v1/orders', { body, headers: { 'idempotency-key': key } });

    const first = await send('contract-first');
    const replay = await send('contract-first');
    expect([first.response.status, replay.response.status]).to.deep.equal([201, 201]);
    expect(first.response.headers.get('idempotent-replayed')).to.equal(null);
    expect(replay.response.headers.get('idempotent-replayed')).to.equal('true');
    expect(replay.response.headers.get('location')).to.equal(`/api/v1/orders/${first.data?.id}`);

    // A duplicate sent while the first is running waits for it and replays its answer.
    const together = await Promise.all([send('contract-together'), send('contract-together')]);
    expect(together.map((r) => r.response.status)).to.deep.equal([201, 201]);
    expect(together.map((r) => r.response.headers.get('idempotent-replayed')).sort()).to.deep.equal([null, 'true'].sort());
  });
});
