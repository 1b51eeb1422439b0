import { expect } from 'chai';
import { ok, operator } from '../support/api';
import { query, waitFor } from '../support/database';
import { askReturn, deliveredOrder } from '../api/returns/helpers';
import { consoleBrowser, expectAccessible, screenshot, signIn } from './console-page';

describe('staff console: returns', function () {
  this.timeout(90_000);
  const chromium = consoleBrowser();

  it('approves a customer’s return, receives 3 units (2 back on the shelf, 1 scrapped) and shows the refund proposed, live in the list', async () => {
    const op = await operator();
    const { buyer, order, products } = await deliveredOrder([{ quantity: 3, unitPriceCents: 1000 }]);
    const product = products[0]!;
    const made = ok(await askReturn(buyer.token, order.id, [{ productId: product.id, quantity: 3, reason: 'damaged' }], { note: 'Scatola rotta' }));

    const { page } = chromium.tab();
    await signIn(page, op);
    await page.getByRole('link', { name: 'Resi' }).click();
    const row = page.locator(`#returns-body tr[data-return-id="${made.id}"]`);
    await row.waitFor();
    expect(await row.innerText())
      .to.contain(made.number)
      .and.contain(order.number)
      .and.contain(order.customer.name)
      .and.contain('Richiesto');
    await expectAccessible(page, 'the returns list');

    // Filter by status: the requested one is listed, not under "Chiuso".
    await page.getByRole('region', { name: 'Resi' }).getByLabel('Stato', { exact: true }).selectOption('closed');
    await row.waitFor({ state: 'detached' });
    await page.getByRole('region', { name: 'Resi' }).getByLabel('Stato', { exact: true }).selectOption('');
    await row.waitFor();

    await row.getByRole('link', { name: `Apri il reso ${made.number}` }).click();
    const detail = page.getByRole('region', { name: `Reso ${made.number}` });
    await detail.getByText('Nota: Scatola rotta').waitFor();
    await expectAccessible(page, 'a requested return');
    await detail.getByRole('button', { name: 'Autorizza il reso' }).click();
    await detail.getByTestId('return-detail-status').filter({ hasText: 'Autorizzato' }).waitFor();
    await row.getByTestId('return-status').filter({ hasText: 'Autorizzato' }).waitFor();

    await detail.getByLabel(`Ricevuti di ${product.name}`).fill('3');
    await detail.getByLabel(`Rimessi a magazzino di ${product.name}`).fill('2');
    await expectAccessible(page, 'the receipt form');
    await detail.getByRole('button', { name: 'Registra il ricevimento' }).click();
    await detail.getByTestId('return-detail-status').filter({ hasText: 'Ricevuto' }).waitFor();
    expect(await detail.getByTestId('return-scrapped').innerText()).to.equal('1');
    // 3 units at 10,00 € + 22% VAT.
    expect(await detail.getByTestId('return-refund').innerText()).to.contain('36,60');
    await row.getByTestId('return-status').filter({ hasText: 'Ricevuto' }).waitFor();
    await screenshot(page, 'console-return-received.png');
    const [stored] = await query('SELECT status FROM returns WHERE id = $1', [made.id]);
    expect(stored.status).to.equal('received');
    const [movement] = await query("SELECT delta FROM stock_movements WHERE product_id = $1 AND type = 'return'", [product.id]);
    expect(movement.delta).to.equal(2);

    // The order's detail links to its returns.
    await row.getByRole('link', { name: order.number }).click();
    const dialog = page.getByRole('dialog');
    await dialog.getByText('Reso del tutto').waitFor();
    await dialog.getByRole('button', { name: 'Resi dell’ordine' }).click();
    await page.getByText(`Solo i resi dell’ordine ${order.number}.`).waitFor();
    await waitFor(async () => (await page.locator('#returns-body tr').count()) === 1, 5000, 'the order’s one return');
    await expectAccessible(page, 'the returns of one order');
  });
});
