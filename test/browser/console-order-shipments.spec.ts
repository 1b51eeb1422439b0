import { expect } from 'chai';
import { ok, operator } from '../support/api';
import { countsOf, getOrder, preparedOrder, shipManually } from '../api/fulfilment/helpers';
import { card, consoleBrowser, expectAccessible, screenshot, signIn } from './console-page';

describe('staff console: an order’s shipments (lines, slip, cancel a shipment, cancel the rest)', function () {
  this.timeout(60_000);
  const chromium = consoleBrowser();

  it('shows each line’s shipped and cancelled units, cancels a shipment after a confirmation, then cancels the rest', async () => {
    const { order, products } = await preparedOrder([{ quantity: 4 }, { quantity: 2 }]);
    const [paper, pens] = products as [(typeof products)[0], (typeof products)[0]];
    ok(
      await shipManually(
        order.id,
        [
          { productId: paper.id, quantity: 2 },
          { productId: pens.id, quantity: 2 },
        ],
        { trackingCode: 'BRT-FIRST' },
      ),
    );
    const op = await operator();
    const { page } = chromium.tab();
    await page.setViewportSize({ width: 768, height: 1024 });
    await signIn(page, op);
    await card(page, 'partially_shipped', order.number).click();
    const dialog = page.getByRole('dialog');
    const status = dialog.getByTestId('order-status');
    await status.filter({ hasText: 'Spedito in parte' }).waitFor();
    const row = (sku: string) => dialog.locator(`tr[data-sku="${sku}"]`);
    expect(await row(paper.sku).getByTestId('line-shipped').innerText()).to.equal('2');
    expect(await row(paper.sku).getByTestId('line-cancelled').innerText()).to.equal('0');
    const first = dialog.locator('li[data-tracking="BRT-FIRST"]');
    expect(await first.locator('.shipment-lines li').allInnerTexts()).to.have.members([`2 × ${paper.sku} ${paper.name}`, `2 × ${pens.sku} ${pens.name}`]);

    // The shipment's own packing slip: its two lines and its carrier.
    await first.getByRole('button', { name: 'Distinta della spedizione BRT-FIRST' }).click();
    const slip = page.locator('#slip');
    await slip.getByTestId('slip-shipment').filter({ hasText: 'BRT BRT-FIRST' }).waitFor();
    expect(await slip.locator(`tr[data-sku="${paper.sku}"] td.qty`).innerText()).to.equal('2');
    expect(await slip.locator('tbody tr').count()).to.equal(2);
    await page.getByRole('button', { name: 'Torna agli ordini' }).click();

    // Cancel the shipment: asked first, then its units are back to ship.
    await card(page, 'partially_shipped', order.number).click();
    await first.getByRole('button', { name: 'Annulla la spedizione BRT-FIRST' }).click();
    const confirm = first.getByRole('form', { name: 'Annulla la spedizione BRT-FIRST' });
    expect(await confirm.innerText()).to.contain('Annullare la spedizione BRT-FIRST? I suoi 4 pezzi tornano da spedire.');
    expect((await getOrder(order.id)).shipments[0]!.status, 'nothing happens before the confirmation').to.equal('in_transit');
    await expectAccessible(page, 'the order dialog asking to confirm a shipment’s cancellation');
    await screenshot(page, 'console-cancel-shipment-768.png');
    await confirm.getByLabel('Motivo (facoltativo)').fill('Collo preparato con la carta sbagliata');
    await confirm.getByRole('button', { name: 'Sì, annulla la spedizione' }).click();
    await status.filter({ hasText: 'In preparazione' }).waitFor();
    await first.getByTestId('shipment-status').filter({ hasText: 'annullata' }).waitFor();
    expect(await first.getByRole('button', { name: 'Annulla la spedizione BRT-FIRST' }).count()).to.equal(0);
    const afterCancel = await getOrder(order.id);
    expect(afterCancel.shipments[0]!.status).to.equal('cancelled');
    expect(afterCancel.items.map((i) => i.shippedQuantity)).to.deep.equal([0, 0]);
    expect(await dialog.locator('.history').innerText()).to.contain('Collo preparato con la carta sbagliata');

    // Another parcel ships meanwhile (the open dialog follows it live), then staff cancel the rest.
    ok(await shipManually(order.id, [{ productId: paper.id, quantity: 1 }], { trackingCode: 'BRT-SECOND' }));
    await status.filter({ hasText: 'Spedito in parte' }).waitFor();
    const rest = dialog.getByRole('form', { name: 'Annulla il resto' });
    expect(await rest.innerText()).to.contain('I 5 pezzi ancora da spedire non partiranno');
    await rest.getByLabel('Motivo', { exact: true }).fill('Carta esaurita presso il fornitore');
    await rest.getByRole('button', { name: 'Annulla il resto' }).click();
    await status.filter({ hasText: /^Spedito$/ }).waitFor();
    expect(await row(paper.sku).getByTestId('line-cancelled').innerText()).to.equal('3');
    expect(await row(pens.sku).getByTestId('line-cancelled').innerText()).to.equal('2');

    const stored = await getOrder(order.id);
    expect(stored.status).to.equal('shipped');
    expect(await countsOf(order.id)).to.deep.equal([
      { product_id: paper.id, quantity: 4, shipped_quantity: 1, cancelled_quantity: 3 },
      { product_id: pens.id, quantity: 2, shipped_quantity: 0, cancelled_quantity: 2 },
    ]);
    // 3 × 10,00 € + 2 × 10,00 €, VAT 22 %: 61,00 € back of the 97,60 € paid.
    expect(stored.payments[0]!.refundedCents).to.equal(6100);
    expect(await dialog.locator('.history').innerText()).to.contain('Carta esaurita presso il fornitore');
  });
});
