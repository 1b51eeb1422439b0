import { expect } from 'chai';
import type { Page } from 'playwright-core';
import { ok, operator, customer, createProduct, placedOrder, type Order } from '../support/api';
import { client } from '../support/client';
import { newEan13 } from '../support/barcodes';
import { query } from '../support/database';
import { card, consoleBrowser, expectAccessible, screenshot, signIn } from './console-page';

/** An order paid and in preparation, ready to pack. */
async function orderInPreparation(lines: { productId: string; quantity: number }[]): Promise<{ order: Order; token: string }> {
  const [op, buyer] = await Promise.all([operator(), customer()]);
  const order = await placedOrder(buyer.token, lines);
  ok(await client(op.token).POST('/api/v1/orders/{id}/payments', { params: { path: { id: order.id } }, body: { provider: 'manual' } }));
  ok(await client(op.token).POST('/api/v1/orders/{id}/status', { params: { path: { id: order.id } }, body: { status: 'in_preparation' } }));
  return { order, token: op.token };
}

/** Whether the page (and the board inside it) scrolls sideways. */
const scrollsSideways = (page: Page): Promise<boolean> =>
  page.evaluate(
    "document.documentElement.scrollWidth > window.innerWidth || (document.getElementById('board')?.scrollWidth ?? 0) > (document.getElementById('board')?.clientWidth ?? 0)",
  ) as Promise<boolean>;

describe('staff console: packing with a barcode scanner (768 px tablet)', function () {
  this.timeout(60_000);
  const chromium = consoleBrowser();

  it('counts scanned units, refuses a code not in the order and one unit too many, and ships exactly what was counted', async () => {
    const [paperCode, pensCode, strangerCode] = [newEan13(), newEan13(), newEan13()];
    const paper = await createProduct({ name: 'Risma carta A4', barcode: paperCode });
    const pens = await createProduct({ name: 'Penne blu, scatola da 50', barcode: pensCode });
    const stapler = await createProduct({ name: 'Cucitrice da tavolo' });
    await createProduct({ name: 'Prodotto di un altro ordine', barcode: strangerCode });
    const { order, token } = await orderInPreparation([
      { productId: paper.id, quantity: 3 },
      { productId: pens.id, quantity: 2 },
      { productId: stapler.id, quantity: 1 },
    ]);
    const op = await operator();

    const { page } = chromium.tab();
    await page.setViewportSize({ width: 768, height: 1024 });
    await signIn(page, op);
    await card(page, 'in_preparation', order.number).waitFor();
    // The board at 768 px: every column in sight (they wrap), nothing scrolls sideways.
    expect(await scrollsSideways(page), 'the board scrolls sideways at 768 px').to.equal(false);
    await page.locator('.column[data-status="partially_shipped"] h3', { hasText: 'Spedito in parte' }).waitFor();
    await screenshot(page, 'console-board-768.png');

    await card(page, 'in_preparation', order.number).click();
    await page.getByRole('dialog').getByRole('button', { name: 'Imballaggio', exact: true }).click();
    await page.getByRole('heading', { name: `Imballaggio — ordine ${order.number}` }).waitFor();
    const scan = page.getByRole('textbox', { name: 'Codice a barre' });
    await scan.waitFor();
    expect(await scan.evaluate((node) => node === node.ownerDocument.activeElement), 'the scan field has the focus').to.equal(true);
    const packed = (sku: string) => page.locator(`#pack-lines tr[data-sku="${sku}"] [data-testid="packed"]`);
    const alert = page.locator('#pack-alert');

    // A scanner types fast: two units of paper, a code of another product, the two pens and one pen too many.
    await page.keyboard.type(`${paperCode}\n${paperCode}\n`, { delay: 0 });
    await page.keyboard.type(`${strangerCode}\n`, { delay: 0 });
    await alert.getByTestId('refused-code').filter({ hasText: strangerCode }).waitFor();
    expect(await alert.innerText()).to.contain('non è di un prodotto di questo ordine');
    expect(await packed(paper.sku).innerText()).to.equal('2');
    await page.keyboard.type(`${pensCode}\n${pensCode}\n`, { delay: 0 });
    await packed(pens.sku).filter({ hasText: '2' }).waitFor();
    expect(await alert.innerText(), 'a good scan clears the refusal').to.equal('');
    await page.keyboard.type(`${pensCode}\n`, { delay: 0 });
    await alert.getByTestId('refused-code').filter({ hasText: pensCode }).waitFor();
    expect(await alert.innerText()).to.contain('è già tutto nel collo, 2 di 2');
    expect(await packed(pens.sku).innerText()).to.equal('2');
    expect(await alert.evaluate((node) => node.ownerDocument.defaultView!.getComputedStyle(node).borderLeftWidth)).to.equal('12px');
    // Nothing was recorded by any of it.
    expect(await query('SELECT 1 FROM shipments WHERE order_id = $1', [order.id])).to.have.length(0);

    // The stapler has no barcode: counted with +; the focus goes back to the scan field.
    await page.getByRole('button', { name: `Aggiungi un pezzo di ${stapler.sku}` }).click();
    await packed(stapler.sku).filter({ hasText: '1' }).waitFor();
    expect(await scan.evaluate((node) => node === node.ownerDocument.activeElement)).to.equal(true);
    await page.getByRole('button', { name: `Aggiungi un pezzo di ${stapler.sku}` }).click();
    await alert.filter({ hasText: `Di ${stapler.sku} sono già nel collo tutti i pezzi` }).waitFor();
    // A scan while a button has the keyboard focus goes to the scan field, never "presses" the button.
    await page.getByRole('button', { name: `Togli un pezzo di ${paper.sku}` }).focus();
    await page.keyboard.type(`${paperCode}\n`, { delay: 0 });
    await packed(paper.sku).filter({ hasText: '3' }).waitFor();
    expect(await scan.evaluate((node) => node === node.ownerDocument.activeElement)).to.equal(true);
    await page.getByRole('button', { name: `Togli un pezzo di ${paper.sku}` }).click();
    await packed(paper.sku).filter({ hasText: '2' }).waitFor();
    expect(await page.locator('#pack-summary').innerText()).to.equal('Nel collo: 5 pezzi su 6 da spedire.');
    expect(await page.locator('#pack-said').getAttribute('aria-live')).to.equal('polite');
    expect(await scrollsSideways(page), 'the packing view scrolls sideways at 768 px').to.equal(false);
    await expectAccessible(page, 'the packing view with a refused code');
    await screenshot(page, 'console-packing-768.png');

    await page.getByLabel('Corriere', { exact: true }).fill('BRT');
    await page.getByLabel('Codice di tracciamento').fill('BRT-PACK-0001');
    // The first answer is lost on the way back (the shipment was made): the retry of the same parcel
    // sends the same Idempotency-Key and gets that shipment, not a second one.
    const keys: string[] = [];
    await page.route('**/api/v1/orders/*/shipments', async (route) => {
      keys.push(route.request().headers()['idempotency-key'] ?? '');
      if (keys.length > 1) return route.continue();
      await route.fetch();
      await route.abort('failed');
    });
    await page.getByRole('button', { name: 'Spedisci questi' }).click();
    await page.locator('#pack-ship-error', { hasText: 'la spedizione potrebbe essere stata creata' }).waitFor();
    expect(await query('SELECT 1 FROM shipments WHERE order_id = $1', [order.id])).to.have.length(1);
    await page.getByRole('button', { name: 'Spedisci questi' }).click();
    const shipped = page.getByTestId('pack-shipped');
    await shipped.waitFor();
    expect(keys).to.have.length(2);
    expect(keys[1])
      .to.equal(keys[0])
      .and.match(/^console-/);
    expect(await query('SELECT 1 FROM shipments WHERE order_id = $1', [order.id])).to.have.length(1);
    // The lost answer is the one error the page logged, on purpose.
    const tab = chromium.tab();
    tab.errors.splice(0, tab.errors.length, ...tab.errors.filter((e) => !e.includes('net::ERR_FAILED')));
    expect(await shipped.innerText()).to.equal(`Spedizione creata: BRT BRT-PACK-0001, 5 pezzi. L’ordine ${order.number} è spedito in parte.`);

    const stored = ok(await client(token).GET('/api/v1/orders/{id}', { params: { path: { id: order.id } } }));
    expect(stored.status).to.equal('partially_shipped');
    expect(stored.shipments).to.have.length(1);
    expect(stored.shipments[0]!.lines).to.have.deep.members([
      { productId: paper.id, quantity: 2 },
      { productId: pens.id, quantity: 2 },
      { productId: stapler.id, quantity: 1 },
    ]);
    const lines = await query<{ product_id: string; quantity: number }>(
      'SELECT l.product_id, l.quantity FROM shipment_lines l JOIN shipments s ON s.id = l.shipment_id WHERE s.order_id = $1',
      [order.id],
    );
    expect(lines).to.have.deep.members([
      { product_id: paper.id, quantity: 2 },
      { product_id: pens.id, quantity: 2 },
      { product_id: stapler.id, quantity: 1 },
    ]);
    // The view is ready for the next parcel: one ream left to ship, nothing counted, the scan field focused.
    expect(await page.locator(`#pack-lines tr[data-sku="${paper.sku}"] [data-testid="remaining"]`).innerText()).to.equal('1');
    expect(await page.locator('#pack-summary').innerText()).to.equal('Nel collo: 0 pezzi su 1 da spedire.');
    expect(await scan.evaluate((node) => node === node.ownerDocument.activeElement)).to.equal(true);
    await screenshot(page, 'console-packing-shipped-768.png');

    // The board moved the order to its own column, live.
    await page.getByRole('button', { name: 'Torna all’ordine' }).first().click();
    await page.getByRole('dialog').getByTestId('order-status').filter({ hasText: 'Spedito in parte' }).waitFor();
    await page.getByRole('dialog').getByRole('button', { name: 'Chiudi l’ordine' }).click();
    await card(page, 'partially_shipped', order.number).waitFor();
    expect(await scrollsSideways(page)).to.equal(false);
  });
});
