import { expect } from 'chai';
import { ADDRESS, createProduct, customer, operator } from '../support/api';
import { client } from '../support/client';
import { consoleBrowser, expectAccessible, screenshot, signIn } from './console-page';

describe('staff console: live stock figures on the products view', function () {
  this.timeout(60_000);
  const chromium = consoleBrowser();

  it('updates on-hand, reserved and available of a listed product as an order reserves and a receipt books, without reload or focus moves', async () => {
    const product = await createProduct({ initialStock: 30, reorderLevel: 5, name: 'Evidenziatori gialli' });
    const [op, buyer] = await Promise.all([operator(), customer()]);
    const { page } = chromium.tab();
    await signIn(page, op);
    await page.getByRole('link', { name: 'Prodotti' }).click();
    const search = page.getByLabel('Cerca SKU o nome');
    await search.fill(product.sku);
    await page.getByRole('button', { name: 'Cerca', exact: true }).click();
    const row = page.locator(`tr[data-sku="${product.sku}"]`);
    await row.getByTestId('available').filter({ hasText: '30' }).waitFor();
    // A mark that a reload would wipe, and the user's focus in the search box.
    await page.evaluate('window.notReloaded = true');
    await search.focus();

    const placed = await client(buyer.token).POST('/api/v1/orders', { body: { items: [{ productId: product.id, quantity: 4 }], shippingAddress: ADDRESS } });
    expect(placed.response.status).to.equal(201);
    await row.getByTestId('reserved').filter({ hasText: '4' }).waitFor({ timeout: 5000 });
    expect(await row.getByTestId('on-hand').innerText()).to.equal('30');
    expect(await row.getByTestId('available').innerText()).to.equal('26');

    const receipt = await client(op.token).POST('/api/v1/products/{id}/stock-movements', {
      params: { path: { id: product.id } },
      body: { type: 'receipt', delta: 12000, reason: 'consegna fornitore' },
    });
    expect(receipt.response.status).to.equal(201);
    await row.getByTestId('on-hand').filter({ hasText: '12.030' }).waitFor({ timeout: 5000 });
    expect(await row.getByTestId('on-hand').innerText()).to.equal('12.030'); // it-IT grouping
    expect(await row.getByTestId('available').innerText()).to.equal('12.026');

    expect(await page.evaluate('window.notReloaded === true')).to.equal(true);
    expect(await search.evaluate((node) => node === node.ownerDocument.activeElement)).to.equal(true);
    await screenshot(page, 'console-products-live.png');
    await expectAccessible(page, 'the products view after live updates');
  });
});
