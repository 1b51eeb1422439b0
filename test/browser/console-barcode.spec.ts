import { randomUUID } from 'node:crypto';
import { expect } from 'chai';
import { createProduct, ok, operator } from '../support/api';
import { newEan13 } from '../support/barcodes';
import { client } from '../support/client';
import { consoleBrowser, expectAccessible, signIn } from './console-page';

describe('staff console: product barcodes', function () {
  this.timeout(60_000);
  const chromium = consoleBrowser();

  it('refuses a barcode with a wrong check digit saying why, saves a good one, finds it by a scan into the search box and refuses it on another product', async () => {
    const op = await operator();
    const good = newEan13();
    const wrongDigit = (Number(good.slice(-1)) + 1) % 10;
    const bad = `${good.slice(0, -1)}${wrongDigit}`;
    const sku = `BAR-${randomUUID().slice(0, 8)}`;
    const other = await createProduct({ name: 'Un altro prodotto' });

    const { page } = chromium.tab();
    await signIn(page, op);
    await page.getByRole('link', { name: 'Prodotti' }).click();
    await page.getByRole('button', { name: 'Nuovo prodotto' }).click();
    const dialog = page.getByRole('dialog', { name: 'Nuovo prodotto' });
    await dialog.getByLabel('SKU').fill(sku);
    await dialog.getByLabel('Nome').fill('Evidenziatore giallo');
    await dialog.getByLabel('Prezzo (€, IVA esclusa)').fill('1,20');
    const barcode = dialog.getByLabel('Codice a barre');
    await barcode.fill(bad);
    await dialog.getByRole('button', { name: 'Crea prodotto' }).click();
    const error = dialog.locator('#product-error');
    await error.filter({ hasText: 'codice a barre' }).waitFor();
    expect(await error.innerText()).to.contain(
      `codice a barre: cifra di controllo sbagliata: l’ultima cifra deve essere ${good.slice(-1)}, non ${wrongDigit} (${good} sarebbe valido)`,
    );
    expect(await barcode.getAttribute('aria-invalid')).to.equal('true');
    expect(await barcode.evaluate((node) => node === node.ownerDocument.activeElement)).to.equal(true);
    await expectAccessible(page, 'the product form with a refused barcode');
    const none = await client(op.token).GET('/api/v1/products', { params: { query: { q: sku } } });
    expect(none.data?.items, 'nothing stored').to.have.length(0);

    await barcode.fill(good);
    await dialog.getByRole('button', { name: 'Crea prodotto' }).click();
    await dialog.waitFor({ state: 'hidden' });
    const [stored] = ok(await client(op.token).GET('/api/v1/products', { params: { query: { barcode: good } } })).items;
    expect(stored).to.include({ sku, barcode: good });

    // A scanner types the code into the search box and presses Enter: the product, by its barcode.
    const search = page.getByLabel('Cerca SKU o nome o codice a barre');
    await search.click();
    await page.keyboard.type(`${good}\n`, { delay: 0 });
    await page.locator('#products-status', { hasText: '1 prodotto mostrato.' }).waitFor();
    const row = page.locator(`tr[data-sku="${sku}"]`);
    expect(await row.getByTestId('barcode').innerText()).to.equal(good);
    expect(await page.locator('#products-body tr').count()).to.equal(1);

    // The same barcode on another product: 409, said in Italian, nothing changed.
    await search.fill(other.sku);
    await page
      .locator(`tr[data-sku="${other.sku}"]`)
      .getByRole('button', { name: `Modifica ${other.sku}` })
      .click();
    const edit = page.getByRole('dialog', { name: `Modifica ${other.sku}` });
    await edit.getByLabel('Codice a barre').fill(good);
    await edit.getByRole('button', { name: 'Salva modifiche' }).click();
    await edit.locator('#product-error').filter({ hasText: 'Un altro prodotto ha già questo codice a barre.' }).waitFor();
    const unchanged = ok(await client(op.token).GET('/api/v1/products/{id}', { params: { path: { id: other.id } } }));
    expect(unchanged.barcode).to.equal(null);
  });
});
