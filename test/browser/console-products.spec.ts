import { randomUUID } from 'node:crypto';
import { expect } from 'chai';
import { ok, operator, createProduct } from '../support/api';
import { client } from '../support/client';
import { consoleBrowser, expectAccessible, screenshot, signIn } from './console-page';

describe('staff console: products (create, edit with If-Match, archive)', function () {
  this.timeout(60_000);
  const chromium = consoleBrowser();

  it('creates a product from a price typed with a comma, refusing a malformed price first and storing nothing', async () => {
    const op = await operator();
    const category = `Cancelleria ${randomUUID().slice(0, 8)}`;
    const sku = `CON-${randomUUID().slice(0, 8)}`;
    const { page } = chromium.tab();
    await signIn(page, op);
    await page.getByRole('link', { name: 'Prodotti' }).click();
    await page.getByRole('button', { name: 'Nuovo prodotto' }).click();
    const dialog = page.getByRole('dialog', { name: 'Nuovo prodotto' });
    await dialog.getByLabel('SKU').fill(sku);
    await dialog.getByLabel('Nome').fill('Quaderno a righe A5');
    await dialog.getByLabel('Descrizione').fill('80 fogli, copertina rigida');
    await dialog.getByLabel('Categoria').fill(category);
    await dialog.getByLabel('Prezzo (€, IVA esclusa)').fill('12.34');
    await dialog.getByLabel('Aliquota IVA').selectOption('10');
    await dialog.getByLabel('Livello di riordino').fill('5');
    await dialog.getByLabel('Giacenza iniziale').fill('40');
    await dialog.getByRole('button', { name: 'Crea prodotto' }).click();
    expect(await dialog.locator('#product-error').innerText()).to.contain('Prezzo non valido: usa la virgola per i centesimi');
    const price = dialog.getByLabel('Prezzo (€, IVA esclusa)');
    expect(await price.getAttribute('aria-invalid')).to.equal('true');
    expect(await price.evaluate((node) => node === node.ownerDocument.activeElement)).to.equal(true);
    const none = await client(op.token).GET('/api/v1/products', { params: { query: { q: sku, active: true } } });
    expect(none.data?.items).to.have.length(0);
    await screenshot(page, 'console-product-form.png');
    await expectAccessible(page, 'the new-product dialog with a refused price');

    await price.fill('12,3');
    await dialog.getByRole('button', { name: 'Crea prodotto' }).click();
    await dialog.waitFor({ state: 'hidden' });
    await page.locator('#products-result', { hasText: `Prodotto ${sku} creato.` }).waitFor();

    await page.locator('#product-search').getByLabel('Categoria').fill(category);
    await page.getByRole('button', { name: 'Cerca', exact: true }).click();
    const row = page.locator(`tr[data-sku="${sku}"]`);
    await page.locator('#products-status', { hasText: '1 prodotto mostrato.' }).waitFor();
    expect(await page.locator('#products-body tr').count()).to.equal(1);
    expect(await row.getByTestId('price').innerText()).to.equal('12,30\u00a0€');
    expect(await row.getByTestId('available').innerText()).to.equal('40');

    const [stored] = ok(await client(op.token).GET('/api/v1/products', { params: { query: { q: sku } } })).items;
    expect(stored).to.include({
      sku,
      name: 'Quaderno a righe A5',
      description: '80 fogli, copertina rigida',
      category,
      unitPriceCents: 1230,
      vatRate: 10,
      reorderLevel: 5,
      onHand: 40,
      active: true,
    });
  });

  it('edits with If-Match: a colleague’s change meanwhile is shown beside the user’s, and the user re-applies theirs', async () => {
    const product = await createProduct({ unitPriceCents: 1299, name: 'Cucitrice da tavolo' });
    const [op, colleague] = await Promise.all([operator(), operator()]);
    const { page } = chromium.tab();
    await signIn(page, op);
    await page.getByRole('link', { name: 'Prodotti' }).click();
    await page.getByLabel('Cerca SKU o nome').fill(product.sku);
    await page
      .locator(`tr[data-sku="${product.sku}"]`)
      .getByRole('button', { name: `Modifica ${product.sku}` })
      .click();
    const dialog = page.getByRole('dialog', { name: `Modifica ${product.sku}` });
    const price = dialog.getByLabel('Prezzo (€, IVA esclusa)');
    expect(await price.inputValue()).to.equal('12,99');

    // The colleague saves first.
    const read = await client(colleague.token).GET('/api/v1/products/{id}', { params: { path: { id: product.id } } });
    const theirs = await client(colleague.token).PATCH('/api/v1/products/{id}', {
      params: { path: { id: product.id }, header: { 'If-Match': read.response.headers.get('etag')! } },
      body: { unitPriceCents: 1350, name: 'Cucitrice da tavolo nera' },
    });
    expect(theirs.response.status).to.equal(200);

    await price.fill('0,10');
    await dialog.getByRole('button', { name: 'Salva modifiche' }).click();
    const conflict = dialog.locator('.conflict');
    await conflict.getByRole('heading', { name: 'Qualcun altro ha modificato il prodotto mentre lo stavi modificando' }).waitFor();
    const priceRow = conflict.locator('tr[data-field="unitPriceCents"]');
    expect(await priceRow.locator('.mine').innerText()).to.equal('0,10\u00a0€');
    expect(await priceRow.locator('.current').innerText()).to.equal('13,50\u00a0€');
    // Nothing of the user's was stored by the refused attempt.
    expect((await client(op.token).GET('/api/v1/products/{id}', { params: { path: { id: product.id } } })).data?.unitPriceCents).to.equal(1350);
    await screenshot(page, 'console-product-conflict.png');
    await expectAccessible(page, 'the product dialog showing a conflict');

    await conflict.getByRole('button', { name: 'Riapplica le mie modifiche' }).click();
    await dialog.waitFor({ state: 'hidden' });
    await page.locator(`tr[data-sku="${product.sku}"] [data-testid="price"]`, { hasText: '0,10' }).waitFor();
    const stored = ok(await client(op.token).GET('/api/v1/products/{id}', { params: { path: { id: product.id } } }));
    // Only the user's field was re-applied: the colleague's new name stays.
    expect(stored).to.include({ unitPriceCents: 10, name: 'Cucitrice da tavolo nera' });
  });

  it('archives a product, finds it under the archived filter, and restores it', async () => {
    const product = await createProduct({ name: 'Evidenziatore giallo' });
    const op = await operator();
    const { page } = chromium.tab();
    await signIn(page, op);
    await page.getByRole('link', { name: 'Prodotti' }).click();
    await page.getByLabel('Cerca SKU o nome').fill(product.sku);
    const row = page.locator(`tr[data-sku="${product.sku}"]`);
    await row.getByRole('button', { name: `Modifica ${product.sku}` }).click();
    await page.getByRole('dialog').getByRole('button', { name: 'Archivia prodotto' }).click();
    await page.locator('#products-result', { hasText: `Prodotto ${product.sku} archiviato.` }).waitFor();
    await row.waitFor({ state: 'detached' });
    expect((await client(op.token).GET('/api/v1/products/{id}', { params: { path: { id: product.id } } })).data?.active).to.equal(false);

    await page.getByLabel('Archiviati').selectOption({ label: 'Solo archiviati' });
    await page.getByRole('button', { name: 'Cerca', exact: true }).click();
    await row.getByTestId('archived').waitFor();
    await expectAccessible(page, 'the products view filtered to archived products');
    await row.getByRole('button', { name: `Modifica ${product.sku}` }).click();
    await page.getByRole('dialog').getByRole('button', { name: 'Ripristina prodotto' }).click();
    await page.locator('#products-result', { hasText: `Prodotto ${product.sku} ripristinato.` }).waitFor();
    await row.waitFor({ state: 'detached' });
    expect((await client(op.token).GET('/api/v1/products/{id}', { params: { path: { id: product.id } } })).data?.active).to.equal(true);
  });
});
