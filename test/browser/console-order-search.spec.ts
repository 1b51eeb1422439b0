import { randomUUID } from 'node:crypto';
import { expect } from 'chai';
import { ADDRESS, createProduct, createUser, operator } from '../support/api';
import { client } from '../support/client';
import { card, consoleBrowser, expectAccessible, signIn } from './console-page';

describe('staff console: order search on the server', function () {
  this.timeout(120_000);
  const chromium = consoleBrowser();

  it('finds an order beyond the loaded page, in another column, by its number and by the customer’s name', async () => {
    const tag = randomUUID().slice(0, 6);
    const name = `Giulia Bianchi ${tag}`;
    const [op, buyer, busy] = await Promise.all([operator(), createUser('customer', { name }), createUser('customer', { name: `Grossista ${tag}` })]);
    const product = await createProduct({ initialStock: 1000 });
    const place = async (token: string) => {
      const res = await client(token).POST('/api/v1/orders', { body: { items: [{ productId: product.id, quantity: 1 }], shippingAddress: ADDRESS } });
      expect(res.response.status).to.equal(201);
      return res.data!;
    };
    const old = await place(buyer.token);
    const cancelled = await client(op.token).POST('/api/v1/orders/{id}/cancel', {
      params: { path: { id: old.id } },
      body: { reason: 'cliente ha cambiato idea' },
    });
    expect(cancelled.response.status).to.equal(200);
    // 100 newer orders fill the board's first page (the board loads 100, newest first).
    for (let batch = 0; batch < 10; batch += 1) await Promise.all(Array.from({ length: 10 }, () => place(busy.token)));

    const { page } = chromium.tab();
    const searches: string[] = [];
    page.on('request', (r) => {
      const url = new URL(r.url());
      if (r.method() === 'GET' && url.pathname === '/api/v1/orders' && url.searchParams.has('q')) searches.push(url.searchParams.get('q') ?? '');
    });
    await signIn(page, op);
    await page.locator('#board .card').first().waitFor();
    expect(await page.locator(`[data-order-id="${old.id}"]`).count(), 'not on the first page').to.equal(0);

    const search = page.getByLabel('Cerca numero d’ordine o cliente');
    await search.fill(old.number);
    const found = card(page, 'cancelled', old.number);
    await found.waitFor({ timeout: 5000 });
    expect(await found.innerText()).to.contain(name);
    expect(await page.locator('#board .card').count()).to.equal(1);

    await search.fill('');
    await page.locator('#board .card').nth(50).waitFor();
    await search.fill(`giulia bianchi ${tag}`);
    await page.locator('#orders-status', { hasText: `giulia bianchi ${tag}` }).waitFor();
    await found.waitFor({ timeout: 5000 });
    expect(await page.locator('#board .card').count()).to.equal(1);
    expect(searches).to.include(old.number).and.to.include(`giulia bianchi ${tag}`);
    await expectAccessible(page, 'the board showing search results');
  });
});
