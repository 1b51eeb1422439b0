import { expect } from 'chai';
import { createProduct, createUser, customer, placeOrder } from '../support/api';
import { client } from '../support/client';
import { query } from '../support/database';
import { h } from '../support/hooks';
import { consoleBrowser, expectAccessible, screenshot, signIn } from './console-page';

describe('staff console: outgoing webhooks (admins only)', function () {
  this.timeout(60_000);
  const chromium = consoleBrowser();

  it('shows each subscription’s health and recent deliveries, and redelivers one', async () => {
    const admin = await createUser('admin');
    // A receiver the suite cannot reach (no network): every attempt fails, so the health shows it.
    const url = `https://erp-${Date.now()}.example.com/hooks`;
    const created = await client(admin.token).POST('/api/v1/webhook-subscriptions', {
      body: { url, eventTypes: ['order.created'], description: 'ERP Cartoleria Rossi' },
    });
    expect(created.response.status, JSON.stringify(created.error)).to.equal(201);
    try {
      const product = await createProduct({ initialStock: 10 });
      const buyer = await customer();
      expect((await placeOrder(buyer.token, [{ productId: product.id, quantity: 1 }])).response.status).to.equal(201);
      const { page } = chromium.tab();
      await signIn(page, admin);
      await page.getByRole('link', { name: 'Webhook' }).click();
      const row = page.locator(`#hooks-body tr[data-url="${url}"]`);
      await row.waitFor();
      await row.getByRole('button', { name: `Consegne di ${url}` }).click();
      const delivery = page.locator('#hook-deliveries-body tr').first();
      await delivery.getByTestId('delivery-status').waitFor();
      // The first attempt fails (no network): the subscription is failing.
      await page.getByRole('button', { name: 'Aggiorna' }).click();
      await row.getByTestId('health').filter({ hasText: 'In errore dal' }).waitFor({ timeout: 20_000 });
      await screenshot(page, 'console-webhooks.png');
      await expectAccessible(page, 'the webhooks view');

      const webhookId = await page.locator('#hook-deliveries-body tr').first().getAttribute('data-webhook-id');
      await page.getByRole('button', { name: `Rinvia ${webhookId}` }).click();
      await page.locator('#hooks-result', { hasText: `Rinvio di ${webhookId} non riuscito` }).waitFor();
      const manual = await query<{ manual: boolean }>(
        'SELECT a.manual FROM webhook_delivery_attempts a JOIN webhook_deliveries d ON d.id = a.delivery_id WHERE d.message_id = $1 AND a.manual',
        [webhookId],
      );
      expect(manual).to.have.length(1);

      await page.getByRole('button', { name: 'English' }).first().click();
      await page.getByRole('heading', { name: 'Outgoing webhooks' }).waitFor();
      await row.getByTestId('health').filter({ hasText: 'Failing since' }).waitFor();
    } finally {
      await client(admin.token).DELETE('/api/v1/webhook-subscriptions/{id}', { params: { path: { id: created.data!.id } } });
    }
  });

  it('is not offered to operators', async () => {
    const { page } = chromium.tab();
    await signIn(page, await createUser('operator'));
    expect(await page.getByRole('link', { name: 'Webhook' }).isVisible()).to.equal(false);
  });

  it('lists the outgoing webhooks in Swagger UI', async () => {
    const { page } = chromium.tab();
    await page.goto(`${h().baseUrl}/docs/`);
    await page.getByRole('heading', { name: 'Webhooks', exact: true }).waitFor();
    await page.getByText('order.created', { exact: true }).first().waitFor();
    await page.getByText('webhook.test', { exact: true }).first().waitFor();
  });
});
