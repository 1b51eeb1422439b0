import { expect } from 'chai';
import { createProduct, createSupplier, operator } from '../support/api';
import { newEan13 } from '../support/barcodes';
import { query, waitFor } from '../support/database';
import { consoleBrowser, expectAccessible, signIn } from './console-page';

describe('staff console: purchasing, from "Proponi ordini" to receiving by scanning', function () {
  this.timeout(90_000);
  const chromium = consoleBrowser();

  it('proposes from the low-stock list, creates the draft, sends it and receives it by scanning each unit', async () => {
    const op = await operator();
    const supplier = await createSupplier(op.token, { name: `Cartiera ${Date.now().toString(36)}`, vatNumber: 'IT01234567897' });
    const code = newEan13();
    const paper = await createProduct({
      name: 'Risma carta riciclata',
      barcode: code,
      initialStock: 1,
      reorderLevel: 5,
      reorderQuantity: 3,
      supplierId: supplier.id,
    });

    const { page } = chromium.tab();
    await page.setViewportSize({ width: 1024, height: 900 });
    await signIn(page, op);
    await page.getByRole('link', { name: 'Prodotti' }).click();
    await page.getByRole('button', { name: 'Proponi ordini' }).first().click();
    await page.getByRole('heading', { name: 'Proposte d’ordine dalla scorta bassa' }).waitFor();
    const proposal = page.getByRole('region', { name: supplier.name });
    await proposal.getByText(`${paper.sku} Risma carta riciclata: 3 pezzi (in arrivo 0)`).waitFor();
    await expectAccessible(page, 'the proposals');

    await page.getByRole('button', { name: 'Crea le bozze' }).click();
    const [draft] = await waitFor(async () => {
      const rows = await query<{ id: string; number: string }>('SELECT id, number FROM purchase_orders WHERE supplier_id = $1', [supplier.id]);
      return rows.length > 0 && rows;
    });
    await page.getByRole('heading', { name: `Ordine di acquisto ${draft!.number}` }).waitFor();
    await page.getByRole('button', { name: 'Invia al fornitore' }).click();
    await page.getByTestId('po-detail-status').filter({ hasText: 'Inviato' }).waitFor();
    expect(await query('SELECT incoming FROM products WHERE id = $1', [paper.id])).to.deep.equal([{ incoming: 3 }]);

    await page.getByRole('button', { name: 'Ricevi merce' }).click();
    await page.getByRole('heading', { name: `Ricevimento merce — ordine ${draft!.number}` }).waitFor();
    const scan = page.getByRole('textbox', { name: 'Codice a barre' });
    expect(await scan.evaluate((node) => node === node.ownerDocument.activeElement), 'the scan field has the focus').to.equal(true);
    const counted = page.locator(`#rcv-lines tr[data-sku="${paper.sku}"] [data-testid="counted"]`);
    await page.keyboard.type(`${code}\n${code}\n`, { delay: 0 });
    await counted.filter({ hasText: '2' }).waitFor();
    await page.keyboard.type(`${newEan13()}\n`, { delay: 0 });
    await page.locator('#rcv-alert').filter({ hasText: 'non è di un prodotto di questo ordine' }).waitFor();
    await page.keyboard.type(`${code}\n${code}\n`, { delay: 0 });
    await page.locator('#rcv-alert').filter({ hasText: 'è già tutto contato' }).waitFor();
    expect(await counted.innerText()).to.equal('3');
    await expectAccessible(page, 'the receiving view');
    expect(await query('SELECT on_hand FROM products WHERE id = $1', [paper.id])).to.deep.equal([{ on_hand: 1 }]);

    await page.getByRole('button', { name: 'Registra ricevimento' }).click();
    await page.getByTestId('po-detail-status').filter({ hasText: 'Ricevuto' }).waitFor();
    expect(await query('SELECT on_hand, incoming FROM products WHERE id = $1', [paper.id])).to.deep.equal([{ on_hand: 4, incoming: 0 }]);
    expect(await query('SELECT status FROM purchase_orders WHERE id = $1', [draft!.id])).to.deep.equal([{ status: 'received' }]);
    await expectAccessible(page, 'the received order');
  });
});
