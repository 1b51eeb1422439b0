import { expect } from 'chai';
import { operator } from '../support/api';
import { query } from '../support/database';
import { getOrder, preparedOrder } from '../api/fulfilment/helpers';
import { askRefund } from '../api/refunds/helpers';
import { card, consoleBrowser, expectAccessible, screenshot, signIn } from './console-page';

/** Text as the page shows it, with the non-breaking spaces of Italian amounts as plain spaces. */
const plain = (s: string) => s.replace(/\u00a0|\u202f/g, ' ');

describe('staff console: refunding part of a paid order ("Rimborsi", "Rimborsa")', function () {
  this.timeout(60_000);
  const chromium = consoleBrowser();

  it('proposes the refundable balance, refuses more, refunds part with a reason, and follows a refund made elsewhere live', async () => {
    // 2 × 10,00 € + 22 % VAT = 24,40 €, paid manually.
    const { order } = await preparedOrder([{ quantity: 2, unitPriceCents: 1000, vatRate: 22 }]);
    const paymentId = order.id && (await getOrder(order.id)).payments[0]!.id;
    const op = await operator();
    const { page } = chromium.tab();
    await signIn(page, op);
    await card(page, 'in_preparation', order.number).click();
    const dialog = page.getByRole('dialog');
    const refunds = dialog.locator('section.refunds');
    await refunds.getByRole('heading', { name: 'Rimborsi' }).waitFor();
    await refunds.getByText('Nessun rimborso per questo ordine.').waitFor();
    const form = refunds.getByRole('form', { name: 'Rimborsa' });
    expect(plain(await form.getByTestId('refund-balance').innerText())).to.equal('Saldo rimborsabile: 24,40 €');
    const amount = form.getByLabel('Importo da rimborsare (€)');
    expect(await amount.inputValue(), 'the balance is proposed').to.equal('24,40');
    await expectAccessible(page, 'the order dialog with its refunds and the refund form');

    // Above the balance: said at once, nothing sent.
    await amount.fill('30,00');
    await form.getByLabel('Motivo del rimborso (lo legge il cliente)').fill('Penna difettosa');
    await form.getByRole('button', { name: 'Rimborsa' }).click();
    await form.getByRole('alert').filter({ hasText: 'supera il saldo rimborsabile' }).waitFor();
    expect(await query('SELECT 1 FROM refunds WHERE payment_id = $1', [paymentId])).to.have.length(0);

    // Part of it: made (a manual payment's refund is recorded at once), listed, the balance lowered.
    await amount.fill('5,50');
    await form.getByRole('button', { name: 'Rimborsa' }).click();
    const row = refunds.getByTestId('refunds-table').locator('tbody tr');
    // Recorded (in corso, seen live), then made (effettuato).
    await row.first().getByTestId('refund-status').filter({ hasText: 'effettuato' }).waitFor();
    expect(plain(await row.first().getByTestId('refund-amount').innerText())).to.equal('5,50 €');
    expect(await row.first().innerText()).to.contain('Penna difettosa');
    expect(plain(await refunds.getByTestId('refund-balance').innerText())).to.equal('Saldo rimborsabile: 18,90 €');
    const [stored] = await query<{ amount_cents: string; status: string; reason: string; requested_by: string }>(
      'SELECT amount_cents, status, reason, requested_by FROM refunds WHERE payment_id = $1',
      [paymentId],
    );
    expect(stored).to.deep.equal({ amount_cents: '550', status: 'succeeded', reason: 'Penna difettosa', requested_by: op.id });
    expect((await getOrder(order.id)).refundedCents).to.equal(550);

    // Someone else refunds more: the open dialog follows refund.updated.
    await askRefund(order.id, { amountCents: 1000, reason: 'Sconto concordato' });
    await row.nth(1).getByTestId('refund-status').filter({ hasText: 'effettuato' }).waitFor();
    expect(await row.nth(1).innerText()).to.contain('Sconto concordato');
    await refunds.getByTestId('refund-balance').filter({ hasText: /8,90/ }).waitFor();
    await expectAccessible(page, 'the order dialog after two refunds');
    await screenshot(page, 'console-refunds.png');
  });
});
