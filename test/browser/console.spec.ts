import { expect } from 'chai';
import { ok, operator, customer, createProduct, placeOrder, placedOrder } from '../support/api';
import { client } from '../support/client';
import { h } from '../support/hooks';
import { query, waitFor } from '../support/database';
import { card, consoleBrowser, expectAccessible, IT, liveIs, screenshot, signIn, type TestBrowser, type TestPage } from './console-page';

const euro = (cents: number) => new Intl.NumberFormat('it-IT', { style: 'currency', currency: 'EUR' }).format(cents / 100);

/** The gateway's own sockets of a user on this instance. */
function socketsOf(userId: string) {
  return [...h().server.realtime.io.of('/').sockets.values()].filter((s) => s.data.actor?.id === userId);
}

describe('staff console in Chromium', function () {
  this.timeout(60_000);
  const chromium = consoleBrowser();
  let browser: TestBrowser;
  let tab: TestPage;
  beforeEach(() => {
    browser = chromium.browser();
    tab = chromium.tab();
  });

  it('refuses a customer account, saying the console is for staff', async () => {
    const buyer = await customer();
    const { page } = tab;
    await page.goto(`${h().baseUrl}/console`);
    await page.locator('#sign-in').getByLabel('Email', { exact: true }).fill(buyer.email);
    await page.locator('#sign-in').getByLabel('Password', { exact: true }).fill(buyer.password);
    await page.getByRole('button', { name: IT.signIn, exact: true }).click();
    await page.locator('#sign-in-error:not(:empty)').waitFor();
    expect(await page.locator('#sign-in-error').innerText()).to.contain('Questa console è riservata al personale QuickStock');
    expect(await page.locator('html').getAttribute('lang')).to.equal('it');
    await expectAccessible(page, 'the sign-in page with its error');
    expect(await page.locator('#app-view').isVisible()).to.equal(false);
    // The session it opened was revoked on the way out.
    await waitFor(
      async () => (await query('SELECT 1 FROM refresh_tokens WHERE user_id = $1 AND revoked_at IS NULL', [buyer.id])).length === 1,
      3000,
      'only the test helper session left',
    );
  });

  it('shows a wrong password in plain words', async () => {
    const op = await operator();
    const { page } = tab;
    await page.goto(`${h().baseUrl}/console/`);
    await page.locator('#sign-in').getByLabel('Email', { exact: true }).fill(op.email);
    await page.locator('#sign-in').getByLabel('Password', { exact: true }).fill('not-the-password');
    await page.getByRole('button', { name: IT.signIn, exact: true }).click();
    await page.locator('#sign-in-error:not(:empty)').waitFor();
    expect(await page.locator('#sign-in-error').innerText()).to.equal('Email o password non corrette.');
    expect(await page.locator('#app-view').isVisible()).to.equal(false);
  });

  it('shows an order placed through the API live, and takes it to delivered from the UI', async () => {
    const product = await createProduct({ unitPriceCents: 1299, vatRate: 22, initialStock: 50, name: 'Risma carta A4 80 g' });
    const [op, buyer] = await Promise.all([operator(), customer()]);
    // Other orders in other states, so the board has something in several columns.
    for (const quantity of [1, 2, 3]) {
      const other = await placedOrder(buyer.token, [{ productId: product.id, quantity }]);
      if (quantity >= 2) await client(op.token).POST('/api/v1/orders/{id}/payments', { params: { path: { id: other.id } }, body: { provider: 'manual' } });
      if (quantity >= 3) await client(op.token).POST('/api/v1/orders/{id}/status', { params: { path: { id: other.id } }, body: { status: 'in_preparation' } });
    }
    const { page } = tab;
    await signIn(page, op);

    const placed = await placeOrder(buyer.token, [{ productId: product.id, quantity: 4 }]);
    expect(placed.response.status).to.equal(201);
    const order = ok(placed);
    // No reload: the order.created event puts the card on the board.
    const pending = card(page, 'pending_payment', order.number);
    await pending.waitFor();
    expect(await pending.innerText()).to.contain(euro(order.totals.grossCents));
    expect(euro(order.totals.grossCents)).to.equal('63,39\u00a0€');

    await pending.click();
    const dialog = page.getByRole('dialog');
    await dialog.getByRole('heading', { name: `Ordine ${order.number}` }).waitFor();
    const status = dialog.getByTestId('order-status');
    expect(await status.innerText()).to.equal('In attesa di pagamento');
    await expectAccessible(page, 'the order dialog');
    expect(await dialog.getByTestId('order-gross').innerText()).to.equal(euro(order.totals.grossCents));
    expect(await dialog.locator('address').innerText()).to.contain('Via Roma 1');
    // Only the legal next steps are offered.
    expect(await dialog.getByRole('button', { name: 'Avvia preparazione' }).count()).to.equal(0);
    expect(await dialog.getByRole('button', { name: 'Segna come consegnato' }).count()).to.equal(0);

    await dialog.getByLabel('Riferimento del pagamento (facoltativo)').fill('BONIFICO-42');
    await dialog.getByRole('button', { name: 'Registra pagamento manuale' }).click();
    await status.filter({ hasText: /^Pagato$/ }).waitFor();
    await dialog.getByText(/ · rif\. BONIFICO-42 · /).waitFor(); // the payment line (the history says it too)

    await dialog.getByRole('button', { name: 'Avvia preparazione' }).click();
    await status.filter({ hasText: 'In preparazione' }).waitFor();
    await expectAccessible(page, 'the order dialog with the shipment form');

    await dialog.getByLabel('Corriere').fill('BRT');
    await dialog.getByLabel('Codice di tracciamento').fill('BRT-000123');
    await dialog.getByRole('button', { name: 'Crea spedizione' }).click();
    await status.filter({ hasText: 'Spedito' }).waitFor();
    await dialog.getByText('BRT · BRT-000123 · in transito').waitFor();

    await dialog.getByRole('button', { name: 'Segna come consegnato' }).click();
    await status.filter({ hasText: 'Consegnato' }).waitFor();
    await dialog.getByText('Nessun altro passo').waitFor();
    expect(await dialog.locator('ol.history li').count()).to.equal(5);
    // The reasons the service wrote (in English) read in Italian.
    const historyText = await dialog.locator('ol.history').innerText();
    expect(historyText).to.contain('pagamento manuale, rif. BONIFICO-42').and.contain('spedito con BRT, tracking BRT-000123');
    expect(historyText).to.not.match(/payment|shipped/);
    await screenshot(page, 'console-order.png');

    await dialog.getByRole('button', { name: 'Chiudi l’ordine' }).click();
    await card(page, 'delivered', order.number).waitFor();
    expect(await card(page, 'pending_payment', order.number).count()).to.equal(0);
    await screenshot(page, 'console-board.png');
    await expectAccessible(page, 'the orders board');

    // What the UI did is what the service stored.
    const stored = ok(await client(op.token).GET('/api/v1/orders/{id}', { params: { path: { id: order.id } } }));
    expect(stored.status).to.equal('delivered');
    expect(stored.payments[0]).to.include({ provider: 'manual', status: 'captured', reference: 'BONIFICO-42' });
    expect(stored.shipments[0]).to.include({ carrierName: 'BRT', trackingCode: 'BRT-000123' });
    const history = ok(await client(op.token).GET('/api/v1/orders/{id}/history', { params: { path: { id: order.id } } })).items;
    expect(history.map((e) => e.to)).to.deep.equal(['pending_payment', 'paid', 'in_preparation', 'shipped', 'delivered']);
    expect(history.slice(1).every((e: any) => e.actorId === op.id)).to.equal(true);
  });

  it('cancels an order with a reason, and moves a card changed by someone else live', async () => {
    const product = await createProduct({ initialStock: 20 });
    const [op, other, buyer] = await Promise.all([operator(), operator(), customer()]);
    const first = await placedOrder(buyer.token, [{ productId: product.id, quantity: 1 }]);
    const second = await placedOrder(buyer.token, [{ productId: product.id, quantity: 2 }]);
    const { page } = tab;
    await signIn(page, op);
    await card(page, 'pending_payment', first.number).waitFor();

    // A colleague takes the payment of the first order: the card moves without a reload.
    await client(other.token).POST('/api/v1/orders/{id}/payments', { params: { path: { id: first.id } }, body: { provider: 'manual' } });
    await card(page, 'paid', first.number).waitFor();

    await card(page, 'pending_payment', second.number).click();
    const dialog = page.getByRole('dialog');
    await dialog.getByLabel('Motivo dell’annullamento').fill('Cliente ha annullato al telefono');
    await dialog.getByRole('button', { name: 'Annulla ordine' }).click();
    await dialog.getByTestId('order-status').filter({ hasText: 'Annullato' }).waitFor();
    await dialog.getByText('Cliente ha annullato al telefono').waitFor();
    await page.keyboard.press('Escape');
    await card(page, 'cancelled', second.number).waitFor();
    const stored = ok(await client(op.token).GET('/api/v1/products/{id}', { params: { path: { id: product.id } } }));
    expect(stored.reserved).to.equal(1);
  });

  it('records a stock movement, shows the low-stock mark and the live alert, and explains a refused movement', async () => {
    const product = await createProduct({ initialStock: 10, reorderLevel: 3, name: 'Penna a sfera blu' });
    const op = await operator();
    const { page } = tab;
    await signIn(page, op);
    await page.getByRole('link', { name: 'Prodotti' }).click();
    await page.getByLabel('Cerca SKU o nome').fill(product.sku);
    const row = page.locator(`tr[data-sku="${product.sku}"]`);
    await row.waitFor();
    expect(await row.getByTestId('low-stock').count()).to.equal(0);
    expect(await row.getByTestId('available').innerText()).to.equal('10');

    await row.getByRole('button', { name: `Movimenta lo stock di ${product.sku}` }).click();
    const form = page.locator('#movement-panel');
    await form.getByLabel('Tipo').selectOption('damage');
    await form.getByLabel('Variazione quantità').fill('-8');
    await form.getByLabel('Motivo').fill('Scatola bagnata');
    await form.getByRole('button', { name: 'Registra movimento' }).click();

    await row.getByTestId('low-stock').waitFor();
    expect(await row.getByTestId('available').innerText()).to.equal('2');
    // The inventory.low_stock event arrives as an alert.
    await page.locator('#stock-alerts li', { hasText: product.sku }).waitFor();
    expect(await page.locator('#alerts-count').innerText()).to.equal('1');
    await form.locator('#movement-history li', { hasText: 'Scatola bagnata' }).waitFor();
    await screenshot(page, 'console-products.png');
    await expectAccessible(page, 'the products view with the movement panel and an alert');

    // A movement the service refuses is explained, and changes nothing.
    await form.getByLabel('Tipo').selectOption('adjustment');
    await form.getByLabel('Variazione quantità').fill('-50');
    await form.getByLabel('Motivo').fill('Errore');
    await form.getByRole('button', { name: 'Registra movimento' }).click();
    await page.locator('#movement-error:not(:empty)').waitFor();
    expect(await page.locator('#movement-error').innerText()).to.equal('Il movimento non è stato registrato. Il movimento porterebbe la giacenza sotto zero.');

    const stored = ok(await client(op.token).GET('/api/v1/products/{id}', { params: { path: { id: product.id } } }));
    expect(stored).to.include({ onHand: 2, available: 2 });
    const [movement] = ok(await client(op.token).GET('/api/v1/products/{id}/stock-movements', { params: { path: { id: product.id } } })).items;
    expect(movement).to.include({ type: 'damage', delta: -8, reason: 'Scatola bagnata', actorId: op.id });
  });

  it('switches to English from the header, remembers it in this browser, and back to Italian', async () => {
    const product = await createProduct({ initialStock: 20 });
    const [op, buyer] = await Promise.all([operator(), customer()]);
    const order = await placedOrder(buyer.token, [{ productId: product.id, quantity: 1 }]);
    const { page } = tab;
    await signIn(page, op);
    expect(await page.locator('html').getAttribute('lang')).to.equal('it');
    await card(page, 'pending_payment', order.number).waitFor();
    expect(await page.locator('.column[data-status="pending_payment"] h3').innerText()).to.contain('In attesa di pagamento');

    await page.locator('header').getByRole('button', { name: 'Switch the console to English' }).click();
    expect(await page.locator('html').getAttribute('lang')).to.equal('en');
    await liveIs(page, 'Live');
    expect(await page.locator('.column[data-status="pending_payment"] h3').innerText()).to.contain('Awaiting payment');
    expect(await page.getByRole('link', { name: 'Orders' }).count()).to.equal(1);
    await expectAccessible(page, 'the board in English');

    await card(page, 'pending_payment', order.number).click();
    const dialog = page.getByRole('dialog');
    await dialog.getByRole('heading', { name: `Order ${order.number}` }).waitFor();
    await dialog.getByRole('button', { name: 'Record manual payment' }).click();
    await dialog
      .getByTestId('order-status')
      .filter({ hasText: /^Paid$/ })
      .waitFor();
    await dialog.getByRole('button', { name: 'Close order' }).click();

    // Remembered per browser: a reload (which signs out) opens in English.
    await page.reload();
    await page.getByRole('button', { name: 'Sign in', exact: true }).waitFor();
    expect(await page.locator('html').getAttribute('lang')).to.equal('en');
    await page.getByRole('button', { name: 'Passa la console in italiano' }).click();
    await page.getByRole('button', { name: IT.signIn, exact: true }).waitFor();
    expect(await page.evaluate("localStorage.getItem('quickstock.console.lang')")).to.equal('it');
  });

  it('shows the connection dropping, then recovers and replays what it missed', async () => {
    const product = await createProduct({ initialStock: 20 });
    const [op, buyer] = await Promise.all([operator(), customer()]);
    const { page } = tab;
    await signIn(page, op);
    const seen = await placedOrder(buyer.token, [{ productId: product.id, quantity: 1 }]);
    await card(page, 'pending_payment', seen.number).waitFor();

    // The network goes away: the socket drops and reconnection attempts fail.
    await browser.context.setOffline(true);
    for (const socket of socketsOf(op.id)) socket.conn.close();
    await liveIs(page, IT.reconnecting);
    const missed = await placedOrder(buyer.token, [{ productId: product.id, quantity: 1 }]);
    await waitFor(
      async () =>
        (await query(`SELECT 1 FROM events WHERE type = 'order.created' AND data->>'orderId' = $1 AND dispatched_at IS NOT NULL`, [missed.id])).length === 1,
      5000,
      'the missed event dispatched',
    );
    expect(await card(page, 'pending_payment', missed.number).count()).to.equal(0);

    await browser.context.setOffline(false);
    await liveIs(page, IT.live, 15_000);
    // Replayed through lastEventId (the board is not reloaded when the console has a cursor).
    await card(page, 'pending_payment', missed.number).waitFor();
    const [socket] = socketsOf(op.id);
    expect(socket!.data.lastEventId).to.be.a('number');
    // Chromium logs each reconnection attempt it refused while offline: the test made those happen.
    const offline = tab.errors.filter((e) => e.includes('net::ERR_INTERNET_DISCONNECTED'));
    expect(offline.every((e) => e.startsWith('WebSocket connection to '))).to.equal(true);
    tab.errors.splice(0, tab.errors.length, ...tab.errors.filter((e) => !offline.includes(e)));
  });

  it('reconnects with a fresh token when the server cuts the socket (as on token expiry)', async () => {
    const product = await createProduct({ initialStock: 20 });
    const [op, buyer] = await Promise.all([operator(), customer()]);
    const { page } = tab;
    await signIn(page, op);
    const sessionsBefore = await query('SELECT id FROM refresh_tokens WHERE user_id = $1', [op.id]);

    // What the gateway does when the access token expires.
    for (const socket of socketsOf(op.id)) socket.disconnect(true);
    await waitFor(async () => socketsOf(op.id).length === 1, 8000, 'the console to reconnect');
    await liveIs(page, IT.live);
    // It rotated its refresh token to get the new access token.
    expect((await query('SELECT id FROM refresh_tokens WHERE user_id = $1', [op.id])).length).to.equal(sessionsBefore.length + 1);
    const [socket] = socketsOf(op.id);
    expect(socket!.data.actor.expiresAt * 1000).to.be.greaterThan(Date.now() + 60_000);

    const order = await placedOrder(buyer.token, [{ productId: product.id, quantity: 1 }]);
    await card(page, 'pending_payment', order.number).waitFor();
  });

  it('signs out, revoking the session and closing the live channel', async () => {
    const op = await operator();
    const { page } = tab;
    await signIn(page, op);
    await page.getByRole('button', { name: 'Esci' }).click();
    await page.locator('#sign-in').getByLabel('Email', { exact: true }).waitFor();
    expect(await page.locator('#sign-in-message').innerText()).to.equal('Sei uscito.');
    await waitFor(async () => socketsOf(op.id).length === 0, 3000, 'the socket closed');
    const live = await query('SELECT 1 FROM refresh_tokens WHERE user_id = $1 AND revoked_at IS NULL', [op.id]);
    expect(live).to.have.length(1); // only the test helper's own sign-in
  });
});
