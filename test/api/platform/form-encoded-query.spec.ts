import { expect } from 'chai';
import { randomUUID } from 'node:crypto';
import { ADDRESS, asAdmin, createProduct, createUser, operator } from '../../support/api';
import { client } from '../../support/client';

/**
 * Query strings as a browser form sends them (application/x-www-form-urlencoded): '+' is a space,
 * '%2B' a plus. The raw query is written by hand (querySerializer), as a form or a hand-typed URL has it.
 */
describe('query strings: "+" is a space, "%2B" a plus', () => {
  it('finds orders by the customer name written Mario+Rossi, as with Mario%20Rossi', async () => {
    const tag = randomUUID().slice(0, 8);
    const mario = await createUser('customer', { name: `Mario Rossi ${tag}` });
    const placed = await client(mario.token).POST('/api/v1/orders', {
      body: { items: [{ productId: (await createProduct()).id, quantity: 1 }], shippingAddress: ADDRESS },
    });
    expect(placed.response.status).to.equal(201);
    const staff = client((await operator()).token);

    for (const raw of [`q=Mario+Rossi+${tag}`, `q=Mario%20Rossi%20${tag}`, `q=mario+rossi+${tag}&limit=5`]) {
      const res = await staff.GET('/api/v1/orders', { params: { query: {} }, querySerializer: () => raw });
      expect(res.response.status, `${raw}: ${JSON.stringify(res.error)}`).to.equal(200);
      expect(
        res.data?.items.map((o) => o.id),
        raw,
      ).to.deep.equal([placed.data?.id]);
    }
  });

  it('finds products by penna+blu', async () => {
    const tag = randomUUID().slice(0, 6);
    const pen = await createProduct({ name: `Penna blu ${tag}` });
    await createProduct({ name: `Penna rossa ${tag}` });
    const res = await client(await asAdmin()).GET('/api/v1/products', { params: { query: {} }, querySerializer: () => `q=penna+blu+${tag}` });
    expect(res.response.status, JSON.stringify(res.error)).to.equal(200);
    expect(res.data?.items.map((p) => p.id)).to.deep.equal([pen.id]);
  });

  it('keeps %2B a literal plus (an email address with a +tag)', async () => {
    const tag = randomUUID().slice(0, 8);
    const plus = await createUser('customer', { email: `mario+${tag}@example.test`, name: 'Mario Più' });
    await createUser('customer', { email: `mario.${tag}@example.test`, name: 'Mario Punto' });
    const admin = client(await asAdmin());
    const literal = await admin.GET('/api/v1/users', { params: { query: {} }, querySerializer: () => `q=mario%2B${tag}` });
    expect(literal.response.status, JSON.stringify(literal.error)).to.equal(200);
    expect(literal.data?.items.map((u) => u.id)).to.deep.equal([plus.id]);
    // The same text with '+' searches "mario <tag>", which no email contains.
    const spaced = await admin.GET('/api/v1/users', { params: { query: {} }, querySerializer: () => `q=mario+${tag}` });
    expect(spaced.response.status, JSON.stringify(spaced.error)).to.equal(200);
    expect(spaced.data?.items).to.deep.equal([]);
  });
});
