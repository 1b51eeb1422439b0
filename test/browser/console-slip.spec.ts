import { expect } from 'chai';
import { operator, customer, createProduct, placedOrder } from '../support/api';
import { client } from '../support/client';
import { card, consoleBrowser, expectAccessible, screenshot, signIn } from './console-page';

describe('staff console: packing slip', function () {
  this.timeout(60_000);
  const chromium = consoleBrowser();

  it('prints a packing slip of an order in preparation: number, date, ship-to, SKU, name and quantity with a box per line, no prices', async () => {
    // One after the other: test/support's createProduct reads its SKU counter after an await.
    const paper = await createProduct({ name: 'Risma carta A4 80 g', unitPriceCents: 499, initialStock: 100 });
    const pens = await createProduct({ name: 'Penna a sfera nera', unitPriceCents: 120, initialStock: 100 });
    const [op, buyer] = await Promise.all([operator(), customer()]);
    const order = await placedOrder(
      buyer.token,
      [
        { productId: paper.id, quantity: 5 },
        { productId: pens.id, quantity: 12 },
      ],
      { notes: 'Consegna al secondo piano' },
    );
    await client(op.token).POST('/api/v1/orders/{id}/payments', { params: { path: { id: order.id } }, body: { provider: 'manual' } });
    await client(op.token).POST('/api/v1/orders/{id}/status', { params: { path: { id: order.id } }, body: { status: 'in_preparation' } });

    const { page } = chromium.tab();
    await signIn(page, op);
    await card(page, 'in_preparation', order.number).click();
    await page.getByRole('dialog').getByRole('button', { name: 'Distinta di imballaggio' }).click();
    const slip = page.locator('#slip');
    await slip.getByRole('heading', { name: `Distinta di imballaggio ${order.number}` }).waitFor();
    expect(await page.getByRole('dialog').count()).to.equal(0);

    expect(await slip.getByTestId('slip-number').innerText()).to.equal(order.number);
    const address = await slip.locator('address').innerText();
    expect(address).to.contain('Ufficio Rossi Srl').and.contain('Via Roma 1').and.contain('20121 Milano (MI)');
    expect(await slip.innerText()).to.contain('Consegna al secondo piano');
    const rows = slip.locator('tbody tr');
    expect(await rows.count()).to.equal(2);
    const paperRow = slip.locator(`tr[data-sku="${paper.sku}"]`);
    expect(await paperRow.locator('td').allInnerTexts()).to.deep.equal(['', paper.sku, 'Risma carta A4 80 g', '5']);
    expect(await slip.locator(`tr[data-sku="${pens.sku}"] td.qty`).innerText()).to.equal('12');
    expect(await slip.getByRole('checkbox').count()).to.equal(2);
    await expectAccessible(page, 'the packing slip');
    await slip.getByRole('checkbox', { name: `Prelevato: ${paper.sku} Risma carta A4 80 g` }).check();
    // No prices anywhere on the slip.
    expect(await slip.innerText()).not.to.match(/€|EUR|4,99|1,20/);

    // The print button asks the browser to print (stubbed: headless Chromium has no print dialog).
    await page.evaluate('window.print = () => { window.__printed = (window.__printed || 0) + 1; }');
    await page.getByRole('button', { name: 'Stampa', exact: true }).click();
    expect(await page.evaluate('window.__printed')).to.equal(1);

    // Printed, only the slip shows: no header, no buttons.
    await page.emulateMedia({ media: 'print' });
    expect(await page.locator('header.top').isVisible()).to.equal(false);
    expect(await page.getByRole('button', { name: 'Stampa', exact: true }).isVisible()).to.equal(false);
    expect(await slip.isVisible()).to.equal(true);
    await screenshot(page, 'console-packing-slip.png');
    await page.emulateMedia({ media: 'screen' });

    await page.getByRole('button', { name: 'Torna agli ordini' }).click();
    await card(page, 'in_preparation', order.number).waitFor();
    expect(await page.locator('#slip-view').isVisible()).to.equal(false);
  });
});
