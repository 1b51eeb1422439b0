import { randomUUID } from 'node:crypto';
import { expect } from 'chai';
import { createUser, operator, createProduct, placedOrder } from '../support/api';
import { client } from '../support/client';
import { card, consoleBrowser, expectAccessible, signIn } from './console-page';

describe('staff console: who ordered', function () {
  this.timeout(60_000);
  const chromium = consoleBrowser();

  it('loads the board in one request, shows the customer on cards and in the detail, and finds orders by customer name or email', async () => {
    const tag = randomUUID().slice(0, 6);
    const name = `Cartoleria Verdi ${tag}`;
    const email = `acquisti.verdi-${tag}@example.test`;
    const [op, buyer, other] = await Promise.all([
      operator(),
      createUser('customer', { name, email }),
      createUser('customer', { name: `Libreria Neri ${tag}` }),
    ]);
    const product = await createProduct({ initialStock: 20 });
    const pending = await placedOrder(buyer.token, [{ productId: product.id, quantity: 1 }]);
    const paid = await placedOrder(buyer.token, [{ productId: product.id, quantity: 2 }]);
    expect(
      (await client(op.token).POST('/api/v1/orders/{id}/payments', { params: { path: { id: paid.id } }, body: { provider: 'manual' } })).response.status,
    ).to.equal(201);
    const another = await placedOrder(other.token, [{ productId: product.id, quantity: 1 }]);

    const { page } = chromium.tab();
    const listRequests: string[] = [];
    page.on('request', (r) => {
      const url = new URL(r.url());
      if (r.method() === 'GET' && url.pathname === '/api/v1/orders') listRequests.push(url.search);
    });
    await signIn(page, op);
    const pendingCard = card(page, 'pending_payment', pending.number);
    await pendingCard.waitFor();
    // One request per refresh of the board, naming every column's status (not one per column).
    expect(listRequests).to.not.be.empty;
    for (const search of listRequests) expect(new URLSearchParams(search).getAll('status')).to.have.length(7);
    expect(await pendingCard.innerText()).to.contain(name);
    expect(await card(page, 'paid', paid.number).innerText()).to.contain(name);
    expect(await card(page, 'pending_payment', another.number).innerText()).to.contain(`Libreria Neri ${tag}`);

    // The search asks the server (GET /orders?q=) after a short pause in typing.
    const search = page.getByLabel('Cerca numero d’ordine o cliente');
    const cardsAre = async (n: number) => {
      for (const until = Date.now() + 5000; (await page.locator('.card').count()) !== n; await page.waitForTimeout(100)) {
        if (Date.now() > until) throw new Error(`expected ${n} cards, found ${await page.locator('.card').count()}`);
      }
    };
    await search.fill(name.toLowerCase());
    await card(page, 'paid', paid.number).waitFor();
    await cardsAre(2);
    await search.fill(email);
    await page.locator('#orders-status', { hasText: email }).waitFor();
    await cardsAre(2);
    await search.fill(another.number);
    await cardsAre(1);
    await search.fill('');
    await card(page, 'pending_payment', another.number).waitFor();

    await card(page, 'paid', paid.number).click();
    const dialog = page.getByRole('dialog');
    await dialog.getByRole('heading', { name: `Ordine ${paid.number}` }).waitFor();
    await dialog.getByText(`cliente ${name}`).waitFor();
    await expectAccessible(page, 'the order dialog with its customer');
  });

  it('names the customer on a card that arrives live', async () => {
    const tag = randomUUID().slice(0, 6);
    const name = `Ufficio Gialli ${tag}`;
    const [op, buyer] = await Promise.all([operator(), createUser('customer', { name })]);
    const product = await createProduct();
    const { page } = chromium.tab();
    await signIn(page, op);
    const order = await placedOrder(buyer.token, [{ productId: product.id, quantity: 1 }]);
    await card(page, 'pending_payment', order.number).filter({ hasText: name }).waitFor();
    await expectAccessible(page, 'the orders board with customer names');
  });
});
