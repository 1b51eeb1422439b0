import { expect } from 'chai';
import { randomUUID } from 'node:crypto';
import { asAdmin, customer, createProduct, ADDRESS } from '../../support/api';
import { client } from '../../support/client';
import { query } from '../../support/database';
import { postFrom } from './client-address';
import { h } from '../../support/hooks';

const email = () => `weak-${randomUUID()}@example.test`;

describe('Weak input is refused', () => {
  for (const password of [' '.repeat(12), '\t'.repeat(6) + ' '.repeat(6), 'aaaaaaaaaaaa', 'abababababab', 'QazWsxEdcRfv', 'PasswordPassword', '1q2w3e4r5t6y']) {
    it(`refuses the password ${JSON.stringify(password)} at registration and in the admin API with 400, storing nothing`, async () => {
      const address = email();
      // A private client address: these registrations do not use up the suite's allowance.
      const reg = await postFrom(h().baseUrl, '127.0.0.9', '/api/v1/auth/register', { email: address, password, name: 'Anna' });
      expect(reg.status).to.equal(400);
      expect(reg.body.errors.map((e: { path: string }) => e.path)).to.include('body.password');
      const admin = await client(await asAdmin()).POST('/api/v1/users', { body: { email: address, password, name: 'Anna', role: 'operator' } });
      expect(admin.response.status).to.equal(400);
      expect(await query('SELECT 1 FROM users WHERE lower(email) = lower($1)', [address])).to.have.length(0);
    });
  }

  it('still accepts a long passphrase and a long Unicode password', async () => {
    for (const password of ['correct horse battery staple', 'ü'.repeat(20) + 'Straße-42']) {
      expect((await postFrom(h().baseUrl, '127.0.0.9', '/api/v1/auth/register', { email: email(), password, name: 'Anna' })).status).to.equal(201);
    }
  });

  for (const name of ['   ', '\u00a0\u2003', 'Anna\u0007', 'Anna\nRossi', 'Anna\tRossi', 'Anna\u0000']) {
    it(`refuses the name ${JSON.stringify(name)} for users, products and shipping addresses with 400`, async () => {
      const admin = await asAdmin();
      const address = email();
      const user = await client(admin).POST('/api/v1/users', { body: { email: address, password: 'a long password 123', name, role: 'operator' } });
      expect(user.response.status).to.equal(400);
      expect(await query('SELECT 1 FROM users WHERE lower(email) = lower($1)', [address])).to.have.length(0);
      const sku = `WEAK-${randomUUID().slice(0, 8)}`;
      expect((await client(admin).POST('/api/v1/products', { body: { sku, name, unitPriceCents: 100 } })).response.status).to.equal(400);
      expect(await query('SELECT 1 FROM products WHERE sku = $1', [sku])).to.have.length(0);
      const product = await createProduct();
      const buyer = await customer();
      const order = await client(buyer.token).POST('/api/v1/orders', {
        body: { items: [{ productId: product.id, quantity: 1 }], shippingAddress: { ...ADDRESS, name } },
      });
      expect(order.response.status).to.equal(400);
      expect(await query('SELECT 1 FROM orders WHERE customer_id = $1', [buyer.id])).to.have.length(0);
    });
  }

  it('accepts names in any script, with inner spaces and accents', async () => {
    const admin = await asAdmin();
    for (const name of ['Zoë D’Angelo', '山田 太郎', 'Ørsted-Nielsen']) {
      expect(
        (await client(admin).POST('/api/v1/users', { body: { email: email(), password: 'a long password 123', name, role: 'operator' } })).response.status,
        name,
      ).to.equal(201);
    }
  });
});
