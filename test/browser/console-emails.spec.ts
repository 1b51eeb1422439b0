import { expect } from 'chai';
import { createProduct, customer, operator, placedOrder } from '../support/api';
import { query } from '../support/database';
import { seedEmail } from '../support/email-fixtures';
import { card, consoleBrowser, expectAccessible, screenshot, signIn } from './console-page';

const resendsOf = (id: string) => query<{ id: string; status: string }>('SELECT id, status FROM email_messages WHERE resend_of = $1', [id]);

describe('staff console: the mails of an order and the undelivered mails', function () {
  this.timeout(60_000);
  const chromium = consoleBrowser();

  it('shows an order’s mails in its detail, and “Reinvia” records a new mail shown first', async () => {
    const [op, buyer] = await Promise.all([operator(), customer()]);
    const product = await createProduct({ initialStock: 10 });
    const order = await placedOrder(buyer.token, [{ productId: product.id, quantity: 2 }]);
    const confirmed = await seedEmail({
      orderId: order.id,
      userId: buyer.id,
      recipient: buyer.email,
      template: 'order_confirmed',
      status: 'failed',
      lastReply: '550 5.2.2 Mailbox full',
      createdAt: new Date(Date.now() - 60_000),
    });
    await seedEmail({ orderId: order.id, userId: buyer.id, recipient: buyer.email, template: 'order_cancelled', status: 'sent', lastReply: '250 2.0.0 Ok' });

    const { page } = chromium.tab();
    await signIn(page, op);
    await card(page, 'pending_payment', order.number).click();
    const dialog = page.getByRole('dialog');
    const mails = dialog.getByRole('region', { name: 'Mail al cliente' });
    const rows = mails.locator('tbody tr');
    await rows.nth(1).waitFor();
    expect(await rows.count()).to.equal(2);
    const failed = mails.locator(`tr[data-email-id="${confirmed.id}"]`);
    expect(await failed.getByTestId('email-template').innerText()).to.equal('Conferma ordine');
    expect(await failed.getByTestId('email-status').innerText()).to.equal('non recapitata');
    expect(await failed.innerText())
      .to.contain(buyer.email)
      .and.contain('550 5.2.2 Mailbox full');
    expect(await rows.first().getByTestId('email-template').innerText()).to.equal('Annullamento');
    await expectAccessible(page, 'an order with its mails');

    await failed.getByRole('button', { name: `Reinvia «Conferma ordine» a ${buyer.email}` }).click();
    await mails
      .getByRole('status')
      .filter({ hasText: `Nuovo invio di «Conferma ordine» a ${buyer.email} in coda.` })
      .waitFor();
    await rows.nth(2).waitFor();
    const [copy] = await resendsOf(confirmed.id);
    expect(copy, 'a new mail linked to the original').to.not.equal(undefined);
    const first = rows.first();
    expect(await first.getAttribute('data-email-id')).to.equal(copy!.id);
    expect(await first.getByTestId('email-template').innerText()).to.equal('Conferma ordine (reinvio)');
    expect(await first.getByTestId('email-status').innerText()).to.be.oneOf(['in attesa', 'inviata']);
    await screenshot(page, 'console-order-emails.png');

    // The dialog is modal: close it, switch to English, open it again.
    await dialog.getByRole('button', { name: 'Chiudi l’ordine' }).click();
    await page.getByRole('button', { name: 'English' }).first().click();
    await card(page, 'pending_payment', order.number).click();
    await dialog.getByRole('heading', { name: 'Mails to the customer' }).waitFor();
    const inEnglish = dialog.getByRole('region', { name: 'Mails to the customer' });
    await inEnglish.locator(`tr[data-email-id="${confirmed.id}"]`).getByTestId('email-status').filter({ hasText: 'undelivered' }).waitFor();
    expect(await inEnglish.locator(`tr[data-email-id="${confirmed.id}"]`).getByTestId('email-template').innerText()).to.equal('Order confirmation');
  });

  it('lists the undelivered mails with a link to their order, and re-sends one', async () => {
    const [op, buyer] = await Promise.all([operator(), customer()]);
    const product = await createProduct({ initialStock: 10 });
    const order = await placedOrder(buyer.token, [{ productId: product.id, quantity: 1 }]);
    const bounced = await seedEmail({
      orderId: order.id,
      userId: buyer.id,
      recipient: buyer.email,
      template: 'order_shipped',
      subject: `Ordine ${order.number} spedito`,
      status: 'failed',
      attempts: 9,
      lastReply: '421 4.4.2 Connection timed out',
    });

    const { page } = chromium.tab();
    await signIn(page, op);
    await page.getByRole('link', { name: 'Mail non recapitate' }).click();
    await page.getByRole('heading', { name: 'Mail non recapitate' }).waitFor();
    const row = page.locator(`#emails-body tr[data-email-id="${bounced.id}"]`);
    await row.waitFor();
    expect(await row.getByTestId('email-template').innerText()).to.equal('Spedizione');
    expect(await row.innerText())
      .to.contain(buyer.email)
      .and.contain('421 4.4.2 Connection timed out')
      .and.contain('9');
    await expectAccessible(page, 'the undelivered mails');
    await screenshot(page, 'console-undelivered-mails.png');

    await row.getByRole('button', { name: `Reinvia «Spedizione» a ${buyer.email}` }).click();
    await page.locator('#emails-result', { hasText: `Nuovo invio di «Spedizione» a ${buyer.email} in coda.` }).waitFor();
    expect(await resendsOf(bounced.id)).to.have.length(1);

    await row.getByRole('link', { name: `Apri l’ordine della mail «Ordine ${order.number} spedito»` }).click();
    await page
      .getByRole('dialog')
      .getByRole('heading', { name: `Ordine ${order.number}` })
      .waitFor();
    await page.getByRole('dialog').getByRole('button', { name: 'Chiudi l’ordine' }).click();

    await page.getByRole('button', { name: 'English' }).first().click();
    await page.getByRole('heading', { name: 'Undelivered mail' }).waitFor();
    expect(await row.getByTestId('email-template').innerText()).to.equal('Shipping');
  });
});
