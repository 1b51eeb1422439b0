import type { components } from '../../../generated/openapi';
import { announce, busy, el, field, labelled, replaceChildren } from './dom';
import { formatCents, formatDateTime, newIdempotencyKey } from './format';
import { t } from './i18n';
import { centsToInput, parseEuroCents } from './price';
import type { Session } from './session';

type Order = components['schemas']['Order'];
type Refund = components['schemas']['Refund'];
type RefundList = components['schemas']['RefundList'];

/**
 * What one refund may still take: the most any one captured payment still holds (captured less its
 * refunds that did not fail). A refund is made against one payment, so this is also the server's limit.
 */
export function refundableBalance(order: Order): number {
  return Math.max(0, ...order.payments.filter((p) => p.status === 'captured' || p.status === 'partially_refunded').map((p) => p.amountCents - p.refundedCents));
}

/**
 * The order's refunds ("Rimborsi": amount, reason, status, why it failed) and the "Rimborsa" form:
 * the amount proposed is the balance left ("Saldo rimborsabile"), which staff may lower but not
 * exceed (checked here, and refused by the server anyway); one Idempotency-Key per form, so a double
 * submit or a retry after a lost answer refunds once. `onRefunded` reads the order again.
 */
export class OrderRefundsPanel {
  readonly element: HTMLElement;
  private readonly listBox = el('div', {});

  constructor(
    private readonly session: Session,
    private readonly order: Order,
    private readonly onRefunded: () => Promise<void>,
  ) {
    const balance = refundableBalance(order);
    this.element = el(
      'section',
      { 'aria-labelledby': 'refunds-h', class: 'refunds' },
      el('h3', { id: 'refunds-h' }, t('refunds.title')),
      el('p', {}, t('refunds.total', { amount: formatCents(order.refundedCents) })),
      this.listBox,
      balance > 0 ? this.form(balance) : null,
    );
  }

  async load(): Promise<void> {
    try {
      const { items } = await this.session.request<RefundList>('GET', `/orders/${this.order.id}/refunds`);
      replaceChildren(this.listBox, items.length === 0 ? el('p', { class: 'muted' }, t('refunds.none')) : table(items));
    } catch (err) {
      replaceChildren(this.listBox, el('p', { class: 'error', role: 'alert' }, t('refunds.loadFailed', { message: (err as Error).message })));
    }
  }

  private form(balance: number): HTMLFormElement {
    const key = newIdempotencyKey();
    const error = el('p', { class: 'error', role: 'alert', id: 'refund-error' });
    const amount = el('input', {
      id: 'refund-amount',
      name: 'amount',
      type: 'text',
      inputmode: 'decimal',
      autocomplete: 'off',
      required: true,
      value: centsToInput(balance),
      'aria-describedby': 'refund-balance refund-error',
    });
    const reason = el('input', { id: 'refund-reason', name: 'reason', type: 'text', autocomplete: 'off', required: true, maxlength: 500 });
    const form = el(
      'form',
      { class: 'step refund-form', 'aria-label': t('refunds.submit') },
      el('p', { id: 'refund-balance', 'data-testid': 'refund-balance' }, t('refunds.balance', { amount: formatCents(balance) })),
      labelled(t('refunds.amount'), amount),
      labelled(t('refunds.reason'), reason),
      el('button', { type: 'submit', class: 'danger' }, t('refunds.submit')),
      el('p', { class: 'help' }, t('refunds.help')),
      error,
    );
    form.addEventListener('submit', (e) => {
      e.preventDefault();
      error.textContent = '';
      const parsed = parseEuroCents(amount.value);
      if (!parsed.ok || parsed.cents < 1) {
        error.textContent = t('refunds.badAmount');
        amount.focus();
        return;
      }
      if (parsed.cents > balance) {
        error.textContent = t('refunds.overBalance', { amount: formatCents(balance) });
        amount.focus();
        return;
      }
      void busy(form, async () => {
        try {
          const refund = await this.session.request<Refund>(
            'POST',
            `/orders/${this.order.id}/refunds`,
            { amountCents: parsed.cents, reason: field(form, 'reason') },
            { 'idempotency-key': key },
          );
          announce(t('refunds.done', { amount: formatCents(refund.amountCents), status: t(`refunds.status.${refund.status}`) }));
          await this.onRefunded();
        } catch (err) {
          error.textContent = t('refunds.failed', { message: (err as Error).message });
        }
      });
    });
    return form;
  }
}

function table(items: Refund[]): HTMLElement {
  return el(
    'div',
    { class: 'table-scroll' },
    el(
      'table',
      { 'data-testid': 'refunds-table' },
      el('caption', { class: 'visually-hidden' }, t('refunds.caption')),
      el(
        'thead',
        {},
        el(
          'tr',
          {},
          el('th', { scope: 'col' }, t('refunds.col.time')),
          el('th', { scope: 'col', class: 'num' }, t('refunds.col.amount')),
          el('th', { scope: 'col' }, t('refunds.col.reason')),
          el('th', { scope: 'col' }, t('refunds.col.status')),
        ),
      ),
      el(
        'tbody',
        {},
        ...items.map((r) =>
          el(
            'tr',
            { 'data-refund-id': r.id },
            el('td', { class: 'muted' }, el('time', { datetime: r.createdAt }, formatDateTime(r.createdAt))),
            el('td', { class: 'num', 'data-testid': 'refund-amount' }, formatCents(r.amountCents)),
            el('td', {}, r.reason),
            el(
              'td',
              { 'data-testid': 'refund-status', class: `refund-status refund-${r.status}` },
              t(`refunds.status.${r.status}`),
              r.failureReason ? el('span', { class: 'muted' }, ` — ${r.failureReason}`) : '',
            ),
          ),
        ),
      ),
    ),
  );
}
