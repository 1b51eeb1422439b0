import { expect } from 'chai';
import { api, createProduct, customer, operator, placeOrder } from '../support/api';
import { h } from '../support/hooks';
import { query, waitFor } from '../support/db';
import { card, launchBrowser, liveIs, screenshot, signIn, type TestBrowser, type TestPage } from '../support/browser';

const euro = (cents: number) => new Intl.NumberFormat('it-IT', { style: 'currency', currency: 'EUR' }).format(cents / 100);

/** The gateway's own sockets of a user on this instance. */
function socketsOf(userId: string) {
  return [...h().server.realtime.io.of('/').sockets.values()].filter((s) => s.data.actor?.id === userId);
}

describe('staff console in Chromium', function () {
  this.timeout(60_000);
  let browser: TestBrowser;
  let tab: TestPage;

  before(async function () {
    this.timeout(60_000);
    browser = await launchBrowser();
  });
  after(async () => {
    await browser?.close();
  });
  beforeEach(async () => {
    tab = await browser.page();
  });
  afterEach(async function () {
    const errors = tab.errors;
    await tab.page.close();
    // Any console error (a CSP violation, a failed script) fails the test that caused it.
    if (this.currentTest?.state === 'passed') expect(errors, 'browser console errors').to.deep.equal([]);
  });

  it('refuses a customer account, saying the console is for staff', async () => {
    const buyer = await customer();
    const { page } = tab;
    await page.goto(`${h().baseUrl}/console`);
    await page.getByLabel('Email').fill(buyer.email);
    await page.getByLabel('Password').fill(buyer.password);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.locator('#sign-in-error:not(:empty)').waitFor();
    expect(await page.locator('#sign-in-error').innerText()).to.contain('This console is for QuickStock staff');
    expect(await page.locator('#app-view').isVisible()).to.equal(false);
    // The session it opened was revoked on the way out.
    await waitFor(async () => (await query('SELECT 1 FROM refresh_tokens WHERE user_id = $1 AND revoked_at IS NULL', [buyer.id])).length === 1, 3000, 'only the test helper session left');
  });

  it('shows a wrong password in plain words', async () => {
    const op = await operator();
    const { page } = tab;
    await page.goto(`${h().baseUrl}/console/`);
    await page.getByLabel('Email').fill(op.email);
    await page.getByLabel('Password').fill('not-the-password');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.locator('#sign-in-error:not(:empty)').waitFor();
    expect(await page.locator('#sign-in-error').innerText()).to.match(/^Unauthorized: /);
    expect(await page.locator('#app-view').isVisible()).to.equal(false);
  });

  it('shows an order placed through the API live, and takes it to delivered from the UI', async () => {
    const product = await createProduct({ unitPriceCents: 1299, vatRate: 22, initialStock: 50, name: 'Risma carta A4 80 g' });
    const [op, buyer] = await Promise.all([operator(), customer()]);
    // Other orders in other states, so the board has something in several columns.
    for (const quantity of [1, 2, 3]) {
      const other = (await placeOrder(buyer.token, [{ productId: product.id, quantity }])).body;
      if (quantity >= 2) await api('POST', `/api/v1/orders/${other.id}/payments`, { token: op.token, body: { provider: 'manual' } });
      if (quantity >= 3) await api('POST', `/api/v1/orders/${other.id}/status`, { token: op.token, body: { status: 'in_preparation' } });
    }
    const { page } = tab;
    await signIn(page, op);

    const placed = await placeOrder(buyer.token, [{ productId: product.id, quantity: 4 }]);
    expect(placed.status).to.equal(201);
    const order = placed.body;
    // No reload: the order.created event puts the card on the board.
    const pending = card(page, 'pending_payment', order.number);
    await pending.waitFor();
    expect(await pending.innerText()).to.contain(euro(order.totals.grossCents));
    expect(euro(order.totals.grossCents)).to.equal('63,39\u00a0€');

    await pending.click();
    const dialog = page.getByRole('dialog');
    await dialog.getByRole('heading', { name: `Order ${order.number}` }).waitFor();
    const status = dialog.getByTestId('order-status');
    expect(await status.innerText()).to.equal('Awaiting payment');
    expect(await dialog.getByTestId('order-gross').innerText()).to.equal(euro(order.totals.grossCents));
    expect(await dialog.locator('address').innerText()).to.contain('Via Roma 1');
    // Only the legal next steps are offered.
    expect(await dialog.getByRole('button', { name: 'Start preparation' }).count()).to.equal(0);
    expect(await dialog.getByRole('button', { name: 'Mark delivered' }).count()).to.equal(0);

    await dialog.getByLabel('Payment reference (optional)').fill('BONIFICO-42');
    await dialog.getByRole('button', { name: 'Record manual payment' }).click();
    await status.filter({ hasText: /^Paid$/ }).waitFor();
    await dialog.getByText(/ref\. BONIFICO-42/).waitFor();

    await dialog.getByRole('button', { name: 'Start preparation' }).click();
    await status.filter({ hasText: 'In preparation' }).waitFor();

    await dialog.getByLabel('Carrier').fill('BRT');
    await dialog.getByLabel('Tracking code').fill('BRT-000123');
    await dialog.getByRole('button', { name: 'Create shipment' }).click();
    await status.filter({ hasText: 'Shipped' }).waitFor();
    await dialog.getByText('BRT · BRT-000123 · in transit').waitFor();

    await dialog.getByRole('button', { name: 'Mark delivered' }).click();
    await status.filter({ hasText: 'Delivered' }).waitFor();
    await dialog.getByText('No further steps').waitFor();
    expect(await dialog.locator('ol.history li').count()).to.equal(5);
    await screenshot(page, 'console-order.png');

    await dialog.getByRole('button', { name: 'Close order' }).click();
    await card(page, 'delivered', order.number).waitFor();
    expect(await card(page, 'pending_payment', order.number).count()).to.equal(0);
    await screenshot(page, 'console-board.png');

    // What the UI did is what the service stored.
    const stored = (await api('GET', `/api/v1/orders/${order.id}`, { token: op.token })).body;
    expect(stored.status).to.equal('delivered');
    expect(stored.payments[0]).to.include({ provider: 'manual', status: 'captured', reference: 'BONIFICO-42' });
    expect(stored.shipments[0]).to.include({ carrierName: 'BRT', trackingCode: 'BRT-000123' });
    const history = (await api('GET', `/api/v1/orders/${order.id}/history`, { token: op.token })).body.items;
    expect(history.map((e: any) => e.to)).to.deep.equal(['pending_payment', 'paid', 'in_preparation', 'shipped', 'delivered']);
    expect(history.slice(1).every((e: any) => e.actorId === op.id)).to.equal(true);
  });

  it('cancels an order with a reason, and moves a card changed by someone else live', async () => {
    const product = await createProduct({ initialStock: 20 });
    const [op, other, buyer] = await Promise.all([operator(), operator(), customer()]);
    const first = (await placeOrder(buyer.token, [{ productId: product.id, quantity: 1 }])).body;
    const second = (await placeOrder(buyer.token, [{ productId: product.id, quantity: 2 }])).body;
    const { page } = tab;
    await signIn(page, op);
    await card(page, 'pending_payment', first.number).waitFor();

    // A colleague takes the payment of the first order: the card moves without a reload.
    await api('POST', `/api/v1/orders/${first.id}/payments`, { token: other.token, body: { provider: 'manual' } });
    await card(page, 'paid', first.number).waitFor();

    await card(page, 'pending_payment', second.number).click();
    const dialog = page.getByRole('dialog');
    await dialog.getByLabel('Reason for cancelling').fill('Cliente ha annullato al telefono');
    await dialog.getByRole('button', { name: 'Cancel order' }).click();
    await dialog.getByTestId('order-status').filter({ hasText: 'Cancelled' }).waitFor();
    await dialog.getByText('Cliente ha annullato al telefono').waitFor();
    await page.keyboard.press('Escape');
    await card(page, 'cancelled', second.number).waitFor();
    const stored = (await api('GET', `/api/v1/products/${product.id}`, { token: op.token })).body;
    expect(stored.reserved).to.equal(1);
  });

  it('records a stock movement, shows the low-stock mark and the live alert, and explains a refused movement', async () => {
    const product = await createProduct({ initialStock: 10, reorderLevel: 3, name: 'Penna a sfera blu' });
    const op = await operator();
    const { page } = tab;
    await signIn(page, op);
    await page.getByRole('link', { name: 'Products' }).click();
    await page.getByLabel('Search SKU or name').fill(product.sku);
    const row = page.locator(`tr[data-sku="${product.sku}"]`);
    await row.waitFor();
    expect(await row.getByTestId('low-stock').count()).to.equal(0);
    expect(await row.getByTestId('available').innerText()).to.equal('10');

    await row.getByRole('button', { name: `Move stock of ${product.sku}` }).click();
    const form = page.locator('#movement-panel');
    await form.getByLabel('Type').selectOption('damage');
    await form.getByLabel('Quantity change').fill('-8');
    await form.getByLabel('Reason').fill('Scatola bagnata');
    await form.getByRole('button', { name: 'Record movement' }).click();

    await row.getByTestId('low-stock').waitFor();
    expect(await row.getByTestId('available').innerText()).to.equal('2');
    // The inventory.low_stock event arrives as an alert.
    await page.locator('#stock-alerts li', { hasText: product.sku }).waitFor();
    expect(await page.locator('#alerts-count').innerText()).to.equal('1');
    await form.locator('#movement-history li', { hasText: 'Scatola bagnata' }).waitFor();
    await screenshot(page, 'console-products.png');

    // A movement the service refuses is explained, and changes nothing.
    await form.getByLabel('Type').selectOption('adjustment');
    await form.getByLabel('Quantity change').fill('-50');
    await form.getByLabel('Reason').fill('Errore');
    await form.getByRole('button', { name: 'Record movement' }).click();
    await page.locator('#movement-error:not(:empty)').waitFor();
    expect(await page.locator('#movement-error').innerText()).to.match(/^The movement was not recorded\. Conflict: .+/);

    const stored = (await api('GET', `/api/v1/products/${product.id}`, { token: op.token })).body;
    expect(stored).to.include({ onHand: 2, available: 2 });
    const [movement] = (await api('GET', `/api/v1/products/${product.id}/stock-movements`, { token: op.token })).body.items;
    expect(movement).to.include({ type: 'damage', delta: -8, reason: 'Scatola bagnata', actorId: op.id });
  });

  it('shows the connection dropping, then recovers and replays what it missed', async () => {
    const product = await createProduct({ initialStock: 20 });
    const [op, buyer] = await Promise.all([operator(), customer()]);
    const { page } = tab;
    await signIn(page, op);
    const seen = (await placeOrder(buyer.token, [{ productId: product.id, quantity: 1 }])).body;
    await card(page, 'pending_payment', seen.number).waitFor();

    // The network goes away: the socket drops and reconnection attempts fail.
    await browser.context.setOffline(true);
    for (const socket of socketsOf(op.id)) socket.conn.close();
    await liveIs(page, 'Reconnecting…');
    const missed = (await placeOrder(buyer.token, [{ productId: product.id, quantity: 1 }])).body;
    await waitFor(
      async () => (await query(`SELECT 1 FROM events WHERE type = 'order.created' AND data->>'orderId' = $1 AND dispatched_at IS NOT NULL`, [missed.id])).length === 1,
      5000,
      'the missed event dispatched',
    );
    expect(await card(page, 'pending_payment', missed.number).count()).to.equal(0);

    await browser.context.setOffline(false);
    await liveIs(page, 'Live', 15_000);
    // Replayed through lastEventId (the board is not reloaded when the console has a cursor).
    await card(page, 'pending_payment', missed.number).waitFor();
    const [socket] = socketsOf(op.id);
    expect(socket!.data.lastEventId).to.be.a('number');
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
    await liveIs(page, 'Live');
    // It rotated its refresh token to get the new access token.
    expect((await query('SELECT id FROM refresh_tokens WHERE user_id = $1', [op.id])).length).to.equal(sessionsBefore.length + 1);
    const [socket] = socketsOf(op.id);
    expect(socket!.data.actor.expiresAt * 1000).to.be.greaterThan(Date.now() + 60_000);

    const order = (await placeOrder(buyer.token, [{ productId: product.id, quantity: 1 }])).body;
    await card(page, 'pending_payment', order.number).waitFor();
  });

  it('signs out, revoking the session and closing the live channel', async () => {
    const op = await operator();
    const { page } = tab;
    await signIn(page, op);
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByLabel('Email').waitFor();
    expect(await page.locator('#sign-in-message').innerText()).to.equal('You are signed out.');
    await waitFor(async () => socketsOf(op.id).length === 0, 3000, 'the socket closed');
    const live = await query('SELECT 1 FROM refresh_tokens WHERE user_id = $1 AND revoked_at IS NULL', [op.id]);
    expect(live).to.have.length(1); // only the test helper's own sign-in
  });
});
