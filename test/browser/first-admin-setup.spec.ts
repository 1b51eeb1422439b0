import { expect } from 'chai';
import { launchBrowser, liveIs, screenshot, type TestBrowser } from '../support/browser';
import { expectAccessible, IT } from './console-page';
import { printedSetupLink, startServiceProcess, type FreshService } from '../support/services';

describe('first run in Chromium: the printed setup link', function () {
  this.timeout(90_000);
  let browser: TestBrowser;
  let fresh: FreshService;

  before(async function () {
    this.timeout(90_000);
    browser = await launchBrowser();
    fresh = await startServiceProcess({ admin: false });
  });
  after(async () => {
    await browser?.close();
    await fresh?.stop();
  });

  it('follows the link printed at start-up, creates the first admin, signs in and sees the board', async () => {
    const { page, errors } = await browser.page();
    const link = printedSetupLink(fresh.logs).replace('http://localhost:', 'http://127.0.0.1:');
    await page.goto(link);
    // The code leaves the address bar at once.
    expect(page.url()).to.equal(`${fresh.baseUrl}/console/setup`);
    await expectAccessible(page, 'the first-admin setup page');
    await page.getByLabel('Nome e cognome').fill('Giulia Bianchi');
    await page.getByLabel('Email').fill('giulia.bianchi@cartoleria.test');
    await page.getByLabel('Password', { exact: true }).fill('una password lunga e sicura');
    await page.getByLabel('Ripeti la password').fill('una password diversa');
    await page.getByRole('button', { name: 'Crea amministratore' }).click();
    expect(await page.locator('#setup-error').innerText()).to.contain('non coincidono');
    await page.getByLabel('Ripeti la password').fill('una password lunga e sicura');
    await page.getByRole('button', { name: 'Crea amministratore' }).click();
    await page.getByRole('heading', { name: 'Amministratore creato' }).waitFor();
    await screenshot(page, 'first-admin-setup.png');
    await expectAccessible(page, 'the setup page once the admin is created');
    const stored = (await fresh.db.query("SELECT email, role FROM users WHERE role = 'admin'")).rows;
    expect(stored).to.deep.equal([{ email: 'giulia.bianchi@cartoleria.test', role: 'admin' }]);

    await page.getByRole('link', { name: 'Vai alla console' }).click();
    await page.locator('#sign-in').waitFor();
    await page.locator('#email').fill('giulia.bianchi@cartoleria.test');
    await page.locator('#password').fill('una password lunga e sicura');
    await page.locator('#sign-in button[type="submit"]').click();
    await liveIs(page, IT.live);
    expect(await page.locator('#app-view').isVisible()).to.equal(true);
    expect(await page.locator('#orders-view').isVisible()).to.equal(true);
    await screenshot(page, 'first-admin-board.png');

    // The link is spent: opening it again says there is nothing to set up.
    const again = await page.goto(link);
    expect(again?.status()).to.equal(404);
    expect(errors).to.deep.equal([]);
  });
});
