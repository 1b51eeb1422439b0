import { expect } from 'chai';
import { ADMIN } from '../support/hooks';
import { call } from '../../test-kit/service-process';

export const ADDRESS = { name: 'Ufficio', line1: 'Via Roma 1', city: 'Milano', postalCode: '20121', country: 'IT' };

export interface Shop {
  admin: string;
  token: string;
  product: { id: string };
  /** Places an order of one unit as the customer. */
  order(): Promise<{ status: number; body: any }>;
}

/** An admin token, a product with plenty of stock and a registered, signed-in customer. */
export async function openShop(base: string, sku: string): Promise<Shop> {
  const admin = (await call(base, 'POST', '/api/v1/auth/login', undefined, ADMIN)).body.accessToken as string;
  const product = (await call(base, 'POST', '/api/v1/products', admin, { sku, name: `Product ${sku}`, unitPriceCents: 500, initialStock: 10_000 })).body;
  const buyer = { email: `buyer-${sku.toLowerCase()}@example.test`, password: 'a long password 123', name: 'Buyer' };
  expect((await call(base, 'POST', '/api/v1/auth/register', undefined, buyer)).status).to.equal(201);
  const signedIn = await call(base, 'POST', '/api/v1/auth/login', undefined, { email: buyer.email, password: buyer.password });
  expect(signedIn.status, JSON.stringify(signedIn.body)).to.equal(200);
  const token = signedIn.body.accessToken as string;
  const order = () => call(base, 'POST', '/api/v1/orders', token, { items: [{ productId: product.id, quantity: 1 }], shippingAddress: ADDRESS });
  return { admin, token, product, order };
}
