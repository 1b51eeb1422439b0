import { expect } from 'chai';
import { randomUUID } from 'node:crypto';
import { createProduct, operator } from '../support/api';
import { query } from '../support/database';
import { consoleBrowser, expectAccessible, screenshot, signIn } from './console-page';

describe('staff console: CSV import and export of products (issue 30)', function () {
  this.timeout(60_000);
  const chromium = consoleBrowser();

  it('checks a file with a wrong cell (highlighted, nothing written), then the fixed file, applies it, and exports', async () => {
    const op = await operator();
    const p = `CSV-${randomUUID().slice(0, 8).toUpperCase()}`;
    await createProduct({ sku: `${p}-OLD`, name: 'Vecchio', unitPriceCents: 100, category: p, initialStock: 2 });
    const file = (vat: string) => ({
      name: 'listino.csv',
      mimeType: 'text/csv',
      buffer: Buffer.from(`\uFEFFsku;name;category;price;vatRate;onHand\r\n${p}-NEW;Penna à sfera;${p};1,50;${vat};30\r\n${p}-OLD;Vecchio;${p};2,00;22;5\r\n`),
    });
    const { page } = chromium.tab();
    await signIn(page, op);
    await page.getByRole('link', { name: 'Prodotti' }).click();
    await page.getByRole('button', { name: 'Importa' }).click();
    const dialog = page.getByRole('dialog', { name: 'Importa prodotti da CSV' });
    await dialog.getByLabel('File CSV').setInputFiles(file('21'));
    await dialog.getByRole('button', { name: 'Controlla' }).click();
    await dialog.locator('#import-status', { hasText: 'Il file ha 1 celle errate' }).waitFor();
    const wrong = dialog.locator('tr[data-row="2"][data-column="vatRate"]');
    expect(await wrong.locator('.cell-error mark').innerText()).to.equal('21');
    expect(await wrong.innerText()).to.contain('aliquota IVA non valida');
    expect(await dialog.getByRole('button', { name: 'Applica' }).isDisabled()).to.equal(true);
    expect(await query('SELECT 1 FROM products WHERE sku = $1', [`${p}-NEW`])).to.deep.equal([]);
    await screenshot(page, 'console-import-errors.png');
    await expectAccessible(page, 'the import dialog with a wrong cell');

    await dialog.getByLabel('File CSV').setInputFiles(file('22'));
    await dialog.getByRole('button', { name: 'Controlla' }).click();
    await dialog.locator('#import-status', { hasText: 'Nessun errore' }).waitFor();
    expect(await dialog.getByTestId('import-summary').innerText()).to.equal('Righe: 2. Nuovi: 1. Modificati: 1. Invariati: 0.');
    await dialog.getByRole('button', { name: 'Applica' }).click();
    await dialog.locator('#import-status', { hasText: 'Importazione completata' }).waitFor();
    const stored = await query<{ sku: string; unit_price_cents: number; on_hand: number }>(
      'SELECT sku, unit_price_cents, on_hand FROM products WHERE sku LIKE $1 ORDER BY sku',
      [`${p}-%`],
    );
    expect(stored).to.deep.equal([
      { sku: `${p}-NEW`, unit_price_cents: 150, on_hand: 30 },
      { sku: `${p}-OLD`, unit_price_cents: 200, on_hand: 5 },
    ]);
    await expectAccessible(page, 'the import dialog after applying');
    await dialog.getByRole('button', { name: 'Chiudi' }).click();

    await page.locator('#product-search').getByLabel('Categoria').fill(p);
    await page.getByRole('button', { name: 'Cerca', exact: true }).click();
    await page.locator('#products-status', { hasText: '2 prodotti mostrati.' }).waitFor();
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Esporta' }).click()]);
    expect(download.suggestedFilename()).to.match(/^prodotti-\d{4}-\d{2}-\d{2}\.csv$/);
    const text = await (await download.createReadStream()).toArray();
    const csv = Buffer.concat(text as Buffer[]).toString('utf8');
    expect(csv.startsWith('\uFEFFsku;name;')).to.equal(true);
    expect(csv).to.contain(`${p}-NEW;Penna à sfera;;${p};1,50;22;0;;false;30;0;30`);
  });
});
